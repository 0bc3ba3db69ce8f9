import Diagnostics

/// Tags the failures of OCI bytecode images.
package enum ImageDomain: ErrorDomain {}

/// A failure pulling, caching, unpacking, building or verifying an OCI
/// bytecode image, naming the image, blob or registry involved.
package typealias ImageError = ModuleError<ImageDomain>
