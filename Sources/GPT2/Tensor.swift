import Foundation

/// A dense row-major fp32 tensor. Either a zero-copy view into a memory-mapped file (kept
/// alive through `owner`, read-only) or a buffer this tensor allocated and frees.
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let count: Int
    /// Writable only for tensors created with `zeros` / `copy` (never for mapped ones: their pages are read-only).
    public let pointer: UnsafeMutablePointer<Float>
    private let owner: AnyObject?
    private let ownsMemory: Bool

    /// A tensor of zeros that owns its memory.
    public init(zeros shape: [Int]) {
        self.shape = shape
        count = shape.reduce(1, *)
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        owner = nil
        ownsMemory = true
    }

    /// A view of memory that `owner` keeps alive.
    init(view pointer: UnsafePointer<Float>, shape: [Int], owner: AnyObject) {
        self.shape = shape
        count = shape.reduce(1, *)
        self.pointer = UnsafeMutablePointer(mutating: pointer)
        self.owner = owner
        ownsMemory = false
    }

    public convenience init(shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit {
        if ownsMemory { pointer.deallocate() }
    }

    /// An owned, writable copy (what training does to the tensors it updates).
    public func copy() -> Tensor {
        let t = Tensor(zeros: shape)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    /// Hands a mapped tensor's resident pages back to the kernel (a packed copy serves instead);
    /// reading it later faults them in again from the file. Owned memory is left alone.
    public func releaseResidentPages() {
        guard !ownsMemory, count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: pointer) + page - 1) / page * page
        let end = (Int(bitPattern: pointer + count)) / page * page
        guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(p, end - start, MADV_DONTNEED)
    }

    public var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: pointer, count: count) }
    public var array: [Float] { Array(buffer) }
}
