import CDNNL

/// The process's oneDNN CPU engine, made on first use.
final class OneDNN: @unchecked Sendable {
    let engine: dnnl_engine_t

    static let shared = OneDNN()

    private init() {
        var e: dnnl_engine_t?
        let status = dnnl_engine_create(&e, dnnl_cpu, 0)
        guard status == dnnl_success, let e else { fatalError("oneDNN: cannot create the CPU engine (status \(status.rawValue))") }
        engine = e
        // Four weight shapes times every batch height seen: room for a few hundred heights.
        dnnl_set_primitive_cache_capacity(4096)
    }

    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) throws {
        guard status != dnnl_success else { return }
        throw GPT2Error.invalidInput("oneDNN could not \(what()) (status \(status.rawValue))")
    }
}

/// Buffers a reduced-precision forward pass reuses, one set per model (like `Workspace`):
/// quantized activations, int32 products, row scales, the outlier columns, and a oneDNN stream.
final class ReducedScratch {
    private(set) var bytes = RawBuffer(), int32 = RawBuffer(), rowScale = FloatBuffer()
    private(set) var columnMax = FloatBuffer(), outlierX = FloatBuffer(), outlierW = FloatBuffer()
    private var streamHandle: dnnl_stream_t?
    /// oneDNN threads for this model's passes; nil: ``ComputeThreads``'s.
    var threads: Int?

    var stream: dnnl_stream_t {
        if let streamHandle { return streamHandle }
        var s: dnnl_stream_t?
        let status = dnnl_stream_create(&s, OneDNN.shared.engine, dnnl_stream_default_flags.rawValue)
        guard status == dnnl_success, let s else { fatalError("oneDNN: cannot create a stream (status \(status.rawValue))") }
        streamHandle = s
        return s
    }

    deinit {
        if let streamHandle { dnnl_stream_destroy(streamHandle) }
    }
}

/// A growable, 64-byte aligned byte buffer (the fp32 `FloatBuffer`'s counterpart for bf16 and int8).
final class RawBuffer {
    private(set) var pointer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
    private(set) var capacity = 64

    func reserve(_ bytes: Int) {
        guard bytes > capacity else { return }
        pointer.deallocate()
        capacity = bytes
        pointer = .allocate(byteCount: bytes, alignment: 64)
    }

    deinit { pointer.deallocate() }
}
