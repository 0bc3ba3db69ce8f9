import Diagnostics

/// A failure pulling, caching, unpacking, building or verifying an OCI
/// bytecode image.
package struct ImageError: BpfmanError, Equatable {
    /// The class of the failure.
    package var code: ErrorCode
    /// What failed and why, naming the image, blob or registry involved.
    package var message: String

    /// Creates an image error.
    package init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
