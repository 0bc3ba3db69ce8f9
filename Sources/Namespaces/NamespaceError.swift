import Diagnostics

/// Tags the failures of the `Namespaces` module.
package enum NamespaceDomain: ErrorDomain {}

/// The single error type of the `Namespaces` module.
///
/// `message` is lowercase without a trailing period and chains causes as
/// "verb object: cause", for example `"read /proc/42/status: permission denied"`.
package typealias NamespaceError = ModuleError<NamespaceDomain>
