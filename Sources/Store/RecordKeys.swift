import Model

/// The identities of every record, as crash repair reads them on each
/// write: cheap to read at any number of programs, unlike the records.
package struct RecordKeys: Sendable {
    /// A program's id and map set.
    package struct Program: Sendable {
        /// The kernel program id.
        package var id: ProgramID
        /// The map set it uses (its own id, or its map owner's).
        package var mapSet: ProgramID
    }

    /// A link's id, program and pin.
    package struct Link: Sendable {
        /// The bpfman link id.
        package var id: LinkID
        /// The program it attaches.
        package var program: ProgramID
        /// Its bpffs pin; nil for links without one (TC filters).
        package var pinPath: String?
    }

    /// Every program, ascending by id.
    package var programs: [Program]
    /// Every link, ascending by id.
    package var links: [Link]
}
