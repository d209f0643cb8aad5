import Foundation

/// A `.safetensors` file, memory-mapped: an 8-byte little-endian header length, a JSON header
/// (`name: {dtype, shape, data_offsets}` plus optional `__metadata__` of strings), then the data.
/// F32 tensors are zero-copy views into the mapping; F16 and BF16 are converted on load.
public final class SafeTensorsFile: @unchecked Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let dtype: String
        public let shape: [Int]
        /// Absolute byte range in the file.
        public let range: Range<Int>
    }

    public let path: String
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let mapping: MappedFile

    public init(url: URL) throws {
        path = url.path
        mapping = try MappedFile(path: url.path)
        let size = mapping.length
        guard size >= 8 else {
            throw GPT2Error.badSafeTensorsHeader(path: path, reason: "file is \(size) bytes, shorter than the 8-byte header length")
        }
        // Clamped: a garbage length above Int.max must be an error, not a trap.
        let headerLength = Int(clamping: mapping.base.loadUnaligned(as: UInt64.self).littleEndian)
        guard headerLength > 0, headerLength <= 100_000_000, 8 + headerLength <= size else {
            throw GPT2Error.badSafeTensorsHeader(
                path: path, reason: "header length \(headerLength) does not fit in the file's \(size) bytes")
        }
        let headerData = Data(bytes: mapping.base + 8, count: headerLength)
        guard let json = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw GPT2Error.badSafeTensorsHeader(path: path, reason: "the \(headerLength)-byte header at offset 8 is not a JSON object")
        }
        let dataStart = 8 + headerLength
        var entries = [String: Entry]()
        var metadata = [String: String]()
        for (name, value) in json {
            if name == "__metadata__" {
                for (k, v) in value as? [String: Any] ?? [:] { metadata[k] = v as? String ?? "\(v)" }
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = (info["shape"] as? [NSNumber])?.map(\.intValue),
                  let offsets = (info["data_offsets"] as? [NSNumber])?.map(\.intValue), offsets.count == 2,
                  offsets[0] >= 0, offsets[1] >= offsets[0], shape.allSatisfy({ $0 >= 0 }),
                  // Only against overflow: data past the end is a cut-off file, reported below as such.
                  offsets[1] <= Int.max - dataStart
            else {
                throw GPT2Error.badSafeTensorsHeader(path: path, reason: "entry \(name) lacks a valid dtype, shape or data_offsets")
            }
            let elementSize = Self.elementSize(dtype)
            // Overflow-checked: a hostile header's huge shape must be an error, not a trap.
            let bytes = shape.reduce(Optional(elementSize ?? 1)) { product, dimension in
                product.flatMap { let (value, overflow) = $0.multipliedReportingOverflow(by: dimension); return overflow ? nil : value }
            }
            if elementSize != nil, bytes == nil || bytes! != offsets[1] - offsets[0] {
                throw GPT2Error.badSafeTensorsHeader(
                    path: path, reason: "entry \(name): shape \(shape) of \(dtype) does not match \(offsets[1] - offsets[0]) bytes")
            }
            let range = (dataStart + offsets[0])..<(dataStart + offsets[1])
            if range.upperBound > size {
                throw GPT2Error.truncatedFile(path: path, tensor: name, needs: range.upperBound, has: size)
            }
            entries[name] = Entry(name: name, dtype: dtype, shape: shape, range: range)
        }
        self.entries = entries
        self.metadata = metadata
    }

    static func elementSize(_ dtype: String) -> Int? {
        switch dtype {
        case "F64", "I64", "U64": 8
        case "F32", "I32", "U32": 4
        case "F16", "BF16", "I16", "U16": 2
        case "I8", "U8", "BOOL": 1
        default: nil
        }
    }

    /// The entry called `name`, or nil.
    public func entry(_ name: String) -> Entry? { entries[name] }

    /// The tensor as fp32: a view for aligned F32, a converted copy for F16/BF16 (or unaligned F32).
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entries[name] else { throw GPT2Error.missingTensor(path: path, name: name) }
        let raw = mapping.base + e.range.lowerBound
        let count = e.shape.reduce(1, *)
        switch e.dtype {
        case "F32":
            if Int(bitPattern: raw) % MemoryLayout<Float>.alignment == 0 {
                return Tensor(view: raw.assumingMemoryBound(to: Float.self), shape: e.shape, owner: mapping)
            }
            return convert(shape: e.shape, count: count) { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        case "F16":
            return convert(shape: e.shape, count: count) {
                Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))
            }
        case "BF16":
            return convert(shape: e.shape, count: count) {
                Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) << 16)
            }
        default:
            throw GPT2Error.unsupportedDType(name: name, dtype: e.dtype)
        }
    }

    /// An integer tensor (I64 or I32), e.g. token ids in a fixture.
    public func integers(_ name: String) throws -> [Int] {
        guard let e = entries[name] else { throw GPT2Error.missingTensor(path: path, name: name) }
        let raw = mapping.base + e.range.lowerBound
        let count = e.shape.reduce(1, *)
        switch e.dtype {
        case "I64": return (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        case "I32": return (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
        default: throw GPT2Error.unsupportedDType(name: name, dtype: e.dtype)
        }
    }

    private func convert(shape: [Int], count: Int, _ element: (Int) -> Float) -> Tensor {
        let t = Tensor(zeros: shape)
        for i in 0..<count { t.pointer[i] = element(i) }
        return t
    }
}

/// A read-only private memory mapping of a whole file, unmapped when released.
final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer
    let length: Int

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw GPT2Error.fileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw GPT2Error.fileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        length = Int(st.st_size)
        if length == 0 {
            // mmap of zero bytes fails; an empty file still has to be reported as a bad header.
            base = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8))
            return
        }
        guard let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw GPT2Error.fileUnreadable(path: path, reason: "mmap: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p)
    }

    deinit {
        if length == 0 {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        } else {
            munmap(UnsafeMutableRawPointer(mutating: base), length)
        }
    }
}
