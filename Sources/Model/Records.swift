/// Where an image-loaded program came from.
package struct ImageSource: Sendable, Equatable, Codable {
    /// The image reference as given.
    package var url: String
    /// The manifest digest that was loaded.
    package var digest: String
    /// `Always`, `IfNotPresent` or `Never`.
    package var pullPolicy: String
    /// Creates an image source.
    package init(url: String, digest: String, pullPolicy: String) {
        self.url = url; self.digest = digest; self.pullPolicy = pullPolicy
    }
}

/// bpfman's record of a program it loaded.
package struct ProgramRecord: Sendable, Equatable {
    /// The kernel program id.
    package var id: ProgramID
    /// The ELF function name.
    package var name: String
    /// bpfman's program type.
    package var type: ProgramType
    /// The copy of the object bpfman keeps (`<rt>/programs/<id>/bytecode.o`).
    package var objectPath: String
    /// The object path exactly as given, nil for image loads.
    package var sourcePath: String?
    /// The image it came from, nil for file loads.
    package var imageSource: ImageSource?
    /// The fentry/fexit function or LSM hook given at load.
    package var attachFunction: String?
    /// Global data written before load, by variable name.
    package var globalData: [String: [UInt8]]
    /// User metadata (`-m`, `-a`).
    package var metadata: [String: String]
    /// The program whose maps this one shares, if any.
    package var mapOwnerID: ProgramID?
    /// The directory its maps are pinned in.
    package var mapPinPath: String
    /// The program's license string.
    package var license: String
    /// Load time, seconds since the epoch.
    package var createdAt: Int64

    /// The id of the map set the program uses (its owner's, or its own).
    package var mapSetID: ProgramID { mapOwnerID ?? id }

    /// Creates a program record.
    package init(id: ProgramID, name: String, type: ProgramType, objectPath: String, sourcePath: String?,
                 imageSource: ImageSource?, attachFunction: String?, globalData: [String: [UInt8]],
                 metadata: [String: String], mapOwnerID: ProgramID?, mapPinPath: String, license: String, createdAt: Int64) {
        self.id = id; self.name = name; self.type = type; self.objectPath = objectPath; self.sourcePath = sourcePath
        self.imageSource = imageSource; self.attachFunction = attachFunction; self.globalData = globalData
        self.metadata = metadata; self.mapOwnerID = mapOwnerID; self.mapPinPath = mapPinPath; self.license = license
        self.createdAt = createdAt
    }
}

/// bpfman's record of a link it created.
package struct LinkRecord: Sendable, Equatable {
    /// bpfman's link id.
    package var id: LinkID
    /// The program the link runs.
    package var programID: ProgramID
    /// The link kind (the program's type).
    package var kind: ProgramType
    /// The kernel's link id; nil for TC filters, which are not links.
    package var kernelLinkID: UInt32?
    /// The bpffs pin; nil for TC filters.
    package var pinPath: String?
    /// What the link is attached to.
    package var details: LinkDetails
    /// User metadata, nil when none was given.
    package var metadata: [String: String]?
    /// Creation time, seconds since the epoch.
    package var createdAt: Int64

    /// Creates a link record.
    package init(id: LinkID, programID: ProgramID, kind: ProgramType, kernelLinkID: UInt32?, pinPath: String?,
                 details: LinkDetails, metadata: [String: String]?, createdAt: Int64) {
        self.id = id; self.programID = programID; self.kind = kind; self.kernelLinkID = kernelLinkID
        self.pinPath = pinPath; self.details = details; self.metadata = metadata; self.createdAt = createdAt
    }
}
