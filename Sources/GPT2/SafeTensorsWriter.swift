import Foundation

/// Writes fp32 tensors as `.safetensors`, atomically: to a temporary name in the same
/// directory, fsynced, then renamed, so a reader never sees a half-written file.
public enum SafeTensorsWriter {
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        var header = [String: Any]()
        var offset = 0
        for (name, tensor) in tensors {
            let bytes = tensor.count * 4
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the data starts 8-byte aligned and maps zero-copy.
        while (8 + json.count) % 8 != 0 { json.append(UInt8(ascii: " ")) }

        var file = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        for (_, tensor) in tensors {
            file.append(UnsafeBufferPointer(start: tensor.pointer, count: tensor.count))
        }
        try AtomicFile.write(file, to: url)
    }
}

/// Durable replace-by-rename of a single file.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GPT2Error.fileUnreadable(path: tmp.path, reason: String(cString: strerror(errno))) }
        var ok = false
        defer {
            if !ok { unlink(tmp.path) }
        }
        let written = data.withUnsafeBytes { buf -> Bool in
            var done = 0
            while done < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return true
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard written, synced else {
            throw GPT2Error.fileUnreadable(path: tmp.path, reason: "write failed: \(String(cString: strerror(errno)))")
        }
        guard rename(tmp.path, url.path) == 0 else {
            throw GPT2Error.fileUnreadable(path: url.path, reason: "rename failed: \(String(cString: strerror(errno)))")
        }
        ok = true
        let dfd = open(dir.path, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}
