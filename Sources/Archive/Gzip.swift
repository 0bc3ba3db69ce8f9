internal import CZlib
import Diagnostics

/// gzip (RFC 1952) compression, and decompression that stops at a size limit.
///
/// Both directions stream through zlib in fixed-size chunks; nothing here
/// touches the file system.
package enum Gzip {
    /// Bytes produced per zlib call.
    static let chunkSize = 64 * 1024
    /// Most input bytes handed to zlib at once; `avail_in` is 32 bits wide.
    static let inputSlice = 1 << 30

    /// Whether `data` starts with the gzip magic bytes `1f 8b`.
    package static func isGzip(_ data: [UInt8]) -> Bool {
        data.count >= 2 && data[0] == 0x1f && data[1] == 0x8b
    }

    /// Decompresses a gzip stream, or several concatenated gzip members, as
    /// `gzip -d` does.
    ///
    /// Output is produced in chunks and the call fails as soon as it grows
    /// past `limit` bytes, so a small decompression bomb never allocates
    /// more than about `limit` bytes.
    ///
    /// - Throws: `.invalidArgument` when the output would exceed `limit`,
    ///   or when the input is not gzip, is truncated or corrupt, or has
    ///   trailing bytes that are not another gzip member.
    package static func decompress(_ data: [UInt8], limit: Int) throws(ArchiveError) -> [UInt8] {
        guard isGzip(data) else {
            throw ArchiveError(.invalidArgument, "decompress gzip stream: input does not start with the gzip magic bytes")
        }
        let result = data.withUnsafeBufferPointer { input in inflateMembers(input, limit: max(0, limit)) }
        return try result.get()
    }

    /// Compresses `data` into one gzip member at `level` (0...9, clamped).
    ///
    /// The output is deterministic: zlib's default gzip header carries no
    /// file name and a modification time of 0, so the same input and level
    /// always give the same bytes.
    package static func compress(_ data: [UInt8], level: Int32 = 9) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        let status = czlib_deflate_init_gzip(stream, min(max(level, 0), 9))
        // Only a failed allocation can make a valid deflateInit2 call fail.
        precondition(status == Z_OK, "deflateInit2 failed with \(status)")
        defer { deflateEnd(stream) }

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        data.withUnsafeBufferPointer { input in
            var position = 0
            while true {
                if stream.pointee.avail_in == 0, position < input.count, let base = input.baseAddress {
                    let count = min(input.count - position, inputSlice)
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: base + position)
                    stream.pointee.avail_in = uInt(count)
                    position += count
                }
                let flush = position == input.count ? Z_FINISH : Z_NO_FLUSH
                let status = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.pointee.next_out = buffer.baseAddress
                    stream.pointee.avail_out = uInt(buffer.count)
                    let status = deflate(stream, flush)
                    let produced = buffer.count - Int(stream.pointee.avail_out)
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<produced]))
                    return status
                }
                if status == Z_STREAM_END { return }
                precondition(status == Z_OK || status == Z_BUF_ERROR, "deflate failed with \(status)")
            }
        }
        return output
    }

    /// Inflates every gzip member in `input`, failing once output passes `limit`.
    private static func inflateMembers(_ input: UnsafeBufferPointer<UInt8>, limit: Int) -> Result<[UInt8], ArchiveError> {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        guard let base = input.baseAddress, czlib_inflate_init_gzip(stream) == Z_OK else {
            return .failure(ArchiveError(.internal, "decompress gzip stream: cannot initialise zlib"))
        }
        defer { inflateEnd(stream) }

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var position = 0
        while true {
            if stream.pointee.avail_in == 0, position < input.count {
                let count = min(input.count - position, inputSlice)
                stream.pointee.next_in = UnsafeMutablePointer(mutating: base + position)
                stream.pointee.avail_in = uInt(count)
                position += count
            }
            // One byte more than the limit allows is enough to know it is exceeded.
            let headroom = limit - output.count
            let room = headroom >= chunkSize ? chunkSize : headroom + 1
            let status = chunk.withUnsafeMutableBufferPointer { buffer in
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = uInt(room)
                let status = inflate(stream, Z_NO_FLUSH)
                let produced = room - Int(stream.pointee.avail_out)
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<produced]))
                return status
            }
            if output.count > limit {
                return .failure(ArchiveError(.invalidArgument,
                                             "decompress gzip stream: decompressed size exceeds the limit of \(limit) bytes"))
            }
            let unread = Int(stream.pointee.avail_in) + (input.count - position)
            switch status {
            case Z_STREAM_END:
                if unread == 0 { return .success(output) }
                let next = input.count - unread
                guard unread >= 2, input[next] == 0x1f, input[next + 1] == 0x8b else {
                    return .failure(ArchiveError(.invalidArgument,
                                                 "decompress gzip stream: \(unread) bytes of trailing data after the last member"))
                }
                inflateReset(stream)
            case Z_OK:
                continue
            case Z_BUF_ERROR where unread == 0:
                return .failure(ArchiveError(.invalidArgument, "decompress gzip stream: input is truncated"))
            case Z_DATA_ERROR, Z_NEED_DICT:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                return .failure(ArchiveError(.invalidArgument, "decompress gzip stream: corrupt input: \(reason)"))
            case Z_MEM_ERROR:
                return .failure(ArchiveError(.internal, "decompress gzip stream: out of memory"))
            default:
                return .failure(ArchiveError(.internal, "decompress gzip stream: zlib inflate failed with status \(status)"))
            }
        }
    }
}
