import XCTest
import GPT2

/// Every backward kernel against central finite differences of its forward.
///
/// Each check reduces the kernel's output to a scalar L = Σ dout ⊙ out (summed in Double, with
/// a fixed random dout), nudges one input at a time by ±eps and compares (L₊ - L₋) / 2eps with
/// what backward accumulated. Sizes are small so every input is checked.
final class KernelGradientTests: XCTestCase {
    /// fp32 forward passes limit how close a difference quotient gets; the observed worst error
    /// is 3.5e-5 (attention) on these sizes, so this leaves a 15x margin and still catches any
    /// real mistake, which shows up as O(0.1..1).
    static let tolerance = 5e-4

    var rng = SeededRandom(seed: 7)

    func randoms(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in rng.nextNormal() * scale }
    }

    /// Compares backward's gradient of `values` with finite differences of `loss`.
    func check(_ what: String, _ values: inout [Float], analytic: [Float], eps: Float = 1e-2,
               file: StaticString = #filePath, line: UInt = #line, loss: ([Float]) -> Double) {
        XCTAssertEqual(values.count, analytic.count, what, file: file, line: line)
        var worst = 0.0
        for i in values.indices {
            let saved = values[i]
            values[i] = saved + eps
            let up = loss(values)
            values[i] = saved - eps
            let down = loss(values)
            values[i] = saved
            let numeric = (up - down) / (2 * Double(eps))
            let error = abs(numeric - Double(analytic[i])) / max(1, abs(numeric))
            worst = max(worst, error)
        }
        XCTAssertLessThan(worst, Self.tolerance, "\(what): worst relative error \(worst)", file: file, line: line)
        // A gradient that is all zeros would pass trivially against a loss that ignores the input.
        XCTAssertGreaterThan(analytic.map { abs($0) }.max() ?? 0, 1e-3, "\(what): gradient is all zeros", file: file, line: line)
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    // MARK: - LayerNorm

    func testLayerNorm() {
        let (n, c) = (3, 8)
        var x = randoms(n * c, scale: 2), w = randoms(c), b = randoms(c)
        let dout = randoms(n * c)
        func forward(_ x: [Float], _ w: [Float], _ b: [Float], mean: inout [Float], rstd: inout [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: n * c)
            LayerNorm.forward(out: &out, mean: &mean, rstd: &rstd, x: x, w: w, b: b, n: n, c: c, eps: 1e-5)
            return out
        }
        var mean = [Float](repeating: 0, count: n), rstd = mean
        _ = forward(x, w, b, mean: &mean, rstd: &rstd)
        var dx = [Float](repeating: 0, count: n * c), dw = [Float](repeating: 0, count: c), db = dw
        LayerNorm.backward(dx: &dx, dw: &dw, db: &db, dout: dout, x: x, w: w, mean: mean, rstd: rstd, n: n, c: c)
        func loss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var m = mean, r = rstd
            return Self.dot(forward(x, w, b, mean: &m, rstd: &r), dout)
        }
        let (w0, b0, x0) = (w, b, x)
        check("layernorm dx", &x, analytic: dx) { loss($0, w0, b0) }
        check("layernorm dw", &w, analytic: dw) { loss(x0, $0, b0) }
        check("layernorm db", &b, analytic: db) { loss(x0, w0, $0) }

        // Without dx (frozen input) the parameter gradients are the same.
        var dw2 = [Float](repeating: 0, count: c), db2 = dw2
        LayerNorm.backward(dx: nil, dw: &dw2, db: &db2, dout: dout, x: x, w: w, mean: mean, rstd: rstd, n: n, c: c)
        XCTAssertEqual(dw2, dw)
        XCTAssertEqual(db2, db)
    }

    // MARK: - Matmul

    func testMatmulDense() {
        let (n, ic, oc) = (4, 5, 3)
        var x = randoms(n * ic), w = randoms(ic * oc), b = randoms(oc)
        let dout = randoms(n * oc)
        func loss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var out = [Float](repeating: 0, count: n * oc)
            Matmul.forward(out: &out, x: x, w: w, b: b, n: n, ic: ic, oc: oc)
            return Self.dot(out, dout)
        }
        var dx = [Float](repeating: 0, count: n * ic), dw = [Float](repeating: 0, count: ic * oc), db = [Float](repeating: 0, count: oc)
        Matmul.backward(dx: &dx, dw: &dw, db: &db, dout: dout, x: x, w: w, n: n, ic: ic, oc: oc)
        let (x0, w0, b0) = (x, w, b)
        check("matmul dx", &x, analytic: dx, eps: 1e-1) { loss($0, w0, b0) }
        check("matmul dw", &w, analytic: dw, eps: 1e-1) { loss(x0, $0, b0) }
        check("matmul db", &b, analytic: db, eps: 1e-1) { loss(x0, w0, $0) }
    }

    /// The K,V and Q column slices of c_attn: w and dw with a wider row stride, and the gradient
    /// lands in the slice only.
    func testMatmulColumnSliceAccumulates() {
        let (n, ic, oc, ldw) = (3, 4, 2, 6)
        var x = randoms(n * ic)
        let wFull = randoms(ic * ldw), dout = randoms(n * oc)
        let offset = 2  // columns 2..<4
        func loss(_ x: [Float]) -> Double {
            var out = [Float](repeating: 0, count: n * oc)
            wFull.withUnsafeBufferPointer { w in
                Matmul.forward(out: &out, x: x, w: w.baseAddress! + offset, b: nil, n: n, ic: ic, oc: oc, ldw: ldw)
            }
            return Self.dot(out, dout)
        }
        var dx = [Float](repeating: 1, count: n * ic)  // starts at 1: backward accumulates
        var dwFull = [Float](repeating: 0, count: ic * ldw)
        wFull.withUnsafeBufferPointer { w in
            dwFull.withUnsafeMutableBufferPointer { dw in
                Matmul.backward(dx: &dx, dw: dw.baseAddress! + offset, db: nil, dout: dout, x: x, w: w.baseAddress! + offset,
                                n: n, ic: ic, oc: oc, ldw: ldw)
            }
        }
        check("matmul slice dx", &x, analytic: dx.map { $0 - 1 }, eps: 1e-1) { loss($0) }
        for row in 0..<ic {
            for col in 0..<ldw where !(offset..<(offset + oc)).contains(col) {
                XCTAssertEqual(dwFull[row * ldw + col], 0, "gradient leaked outside the slice at [\(row), \(col)]")
            }
            for col in 0..<oc {
                let want = (0..<n).reduce(Float(0)) { $0 + x[$1 * ic + row] * dout[$1 * oc + col] }
                XCTAssertEqual(dwFull[row * ldw + offset + col], want, accuracy: 1e-5)
            }
        }
    }

    // MARK: - GELU

    func testGELU() {
        var x = (0..<24).map { Float($0) / 3 - 4 }  // -4 ... 3.67, through the curved part
        let dout = randoms(x.count)
        func loss(_ x: [Float]) -> Double {
            var out = [Float](repeating: 0, count: x.count)
            GELU.forward(out: &out, x: x, count: x.count)
            return Self.dot(out, dout)
        }
        var dx = [Float](repeating: 0, count: x.count)
        GELU.backward(dx: &dx, x: x, dout: dout, count: x.count)
        check("gelu dx", &x, analytic: dx, eps: 1e-2) { loss($0) }

        // In place (dx aliasing dout) gives the same.
        var inPlace = dout
        inPlace.withUnsafeMutableBufferPointer { d in GELU.backward(dx: d.baseAddress!, x: x, dout: d.baseAddress!, count: x.count) }
        XCTAssertEqual(inPlace, dx)
    }

    // MARK: - Attention

    func testAttentionFullSequence() {
        let (t, c, nh) = (5, 8, 2)
        var qkv = randoms(t * 3 * c)
        let dout = randoms(t * c)
        var att = [Float](repeating: 0, count: nh * t * t)
        func forward(_ qkv: [Float], att: inout [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: t * c)
            Attention.forward(out: &out, ldout: c, att: &att, qkv: qkv, t: t, c: c, nh: nh)
            return out
        }
        _ = forward(qkv, att: &att)
        var dqkv = [Float](repeating: 0, count: t * 3 * c), datt = [Float](repeating: 0, count: t * t)
        Attention.backward(dqkv: &dqkv, datt: &datt, dout: dout, ldout: c, qkv: qkv, att: att, t: t, c: c, nh: nh)
        check("attention dqkv", &qkv, analytic: dqkv) { q in
            var scratch = att
            return Self.dot(forward(q, att: &scratch), dout)
        }
    }

    func testAttentionLastQuery() {
        let (t, c, nh) = (6, 8, 2)
        var q = randoms(c), kv = randoms(t * 2 * c)
        let dout = randoms(c)
        func forward(_ q: [Float], _ kv: [Float], att: inout [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: c)
            Attention.forwardLastQuery(out: &out, att: &att, q: q, kv: kv, ldkv: 2 * c, t: t, c: c, nh: nh)
            return out
        }
        var att = [Float](repeating: 0, count: nh * t)
        _ = forward(q, kv, att: &att)
        var dq = [Float](repeating: 0, count: c), dkv = [Float](repeating: 0, count: t * 2 * c), datt = [Float](repeating: 0, count: t)
        Attention.backwardLastQuery(dq: &dq, dkv: &dkv, datt: &datt, dout: dout, q: q, kv: kv, ldkv: 2 * c, att: att, t: t, c: c, nh: nh)
        let (q0, kv0) = (q, kv)
        check("last-query dq", &q, analytic: dq) { var a = att; return Self.dot(forward($0, kv0, att: &a), dout) }
        check("last-query dkv", &kv, analytic: dkv) { var a = att; return Self.dot(forward(q0, $0, att: &a), dout) }
    }

    /// The one-query backward equals the full backward when only the last row has a gradient.
    func testLastQueryBackwardMatchesFullBackward() {
        let (t, c, nh) = (4, 8, 2)
        let qkv = randoms(t * 3 * c), doutLast = randoms(c)
        var att = [Float](repeating: 0, count: nh * t * t), out = [Float](repeating: 0, count: t * c)
        Attention.forward(out: &out, ldout: c, att: &att, qkv: qkv, t: t, c: c, nh: nh)
        var dout = [Float](repeating: 0, count: t * c)
        for i in 0..<c { dout[(t - 1) * c + i] = doutLast[i] }
        var dqkv = [Float](repeating: 0, count: t * 3 * c), datt = [Float](repeating: 0, count: t * t)
        Attention.backward(dqkv: &dqkv, datt: &datt, dout: dout, ldout: c, qkv: qkv, att: att, t: t, c: c, nh: nh)

        // The same through forwardLastQuery on q of the last row and rows [k | v].
        let lastRow = (t - 1) * 3 * c
        let q = Array(qkv[lastRow..<(lastRow + c)])
        var kv = [Float]()
        for r in 0..<t {
            let start: Int = r * 3 * c + c
            kv += qkv[start..<(start + 2 * c)]
        }
        var attLast = [Float](repeating: 0, count: nh * t), outLast = [Float](repeating: 0, count: c)
        Attention.forwardLastQuery(out: &outLast, att: &attLast, q: q, kv: kv, ldkv: 2 * c, t: t, c: c, nh: nh)
        for i in 0..<c { XCTAssertEqual(outLast[i], out[(t - 1) * c + i], accuracy: 1e-5) }
        var dq = [Float](repeating: 0, count: c), dkv = [Float](repeating: 0, count: t * 2 * c), scratch = [Float](repeating: 0, count: t)
        Attention.backwardLastQuery(dq: &dq, dkv: &dkv, datt: &scratch, dout: doutLast, q: q, kv: kv, ldkv: 2 * c, att: attLast, t: t, c: c, nh: nh)
        for i in 0..<c { XCTAssertEqual(dq[i], dqkv[(t - 1) * 3 * c + i], accuracy: 1e-5, "dq[\(i)]") }
        for r in 0..<t {
            for i in 0..<(2 * c) { XCTAssertEqual(dkv[r * 2 * c + i], dqkv[r * 3 * c + c + i], accuracy: 1e-5, "dkv[\(r), \(i)]") }
        }
    }

    // MARK: - Cross-entropy and the head

    func testCrossEntropy() {
        let (b, k) = (3, 4)
        var logits = randoms(b * k, scale: 2)
        let labels: [Int32] = [2, 0, 3]
        var probs = [Float](repeating: 0, count: b * k)
        let loss = CrossEntropy.forward(probs: &probs, logits: logits, labels: labels, b: b, k: k)
        // By hand for the mean of -log softmax.
        var want = 0.0
        for r in 0..<b {
            let row = logits[(r * k)..<((r + 1) * k)].map(Double.init)
            let lse = log(row.map { exp($0) }.reduce(0, +))
            want += lse - row[Int(labels[r])]
        }
        XCTAssertEqual(Double(loss), want / Double(b), accuracy: 1e-5)
        for r in 0..<b { XCTAssertEqual(probs[(r * k)..<((r + 1) * k)].reduce(0, +), 1, accuracy: 1e-6) }

        var dlogits = [Float](repeating: 0, count: b * k)
        CrossEntropy.backward(dlogits: &dlogits, probs: probs, labels: labels, b: b, k: k, scale: 1 / Float(b))
        check("cross-entropy dlogits", &logits, analytic: dlogits, eps: 1e-2) { l in
            var p = [Float](repeating: 0, count: b * k)
            return Double(CrossEntropy.forward(probs: &p, logits: l, labels: labels, b: b, k: k))
        }
    }

    func testCrossEntropyWithSoftTargets() {
        let (b, k) = (3, 4)
        var logits = randoms(b * k, scale: 2)
        let labels: [Int32] = [2, 0, 3]
        // Distillation's targets: rows that sum to 1, one of them the one-hot of its label.
        let targets: [Float] = [0.1, 0.2, 0.6, 0.1, 0.7, 0.1, 0.1, 0.1, 0, 0, 0, 1]
        var probs = [Float](repeating: 0, count: b * k)
        let loss = CrossEntropy.forward(probs: &probs, logits: logits, labels: labels, targets: targets, b: b, k: k)
        var want = 0.0
        for r in 0..<b {
            let row = logits[(r * k)..<((r + 1) * k)].map(Double.init)
            let lse = log(row.map { exp($0) }.reduce(0, +))
            for j in 0..<k { want += Double(targets[r * k + j]) * (lse - row[j]) }
        }
        XCTAssertEqual(Double(loss), want / Double(b), accuracy: 1e-5)
        var dlogits = [Float](repeating: 0, count: b * k)
        CrossEntropy.backward(dlogits: &dlogits, probs: probs, labels: labels, targets: targets, b: b, k: k, scale: 1 / Float(b))
        check("soft cross-entropy dlogits", &logits, analytic: dlogits, eps: 1e-2) { l in
            var p = [Float](repeating: 0, count: b * k)
            return Double(CrossEntropy.forward(probs: &p, logits: l, labels: labels, targets: targets, b: b, k: k))
        }
        // One-hot targets are the hard labels.
        let oneHot: [Float] = [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]
        XCTAssertEqual(CrossEntropy.forward(probs: &probs, logits: logits, labels: labels, targets: oneHot, b: b, k: k),
                       CrossEntropy.forward(probs: &probs, logits: logits, labels: labels, b: b, k: k), accuracy: 1e-6)
    }

    func testCrossEntropyStaysFiniteWhenConfidentlyWrong() {
        var probs = [Float](repeating: 0, count: 2)
        let loss = CrossEntropy.forward(probs: &probs, logits: [200, -200], labels: [1], b: 1, k: 2)
        XCTAssertEqual(loss, 400, accuracy: 1e-3)
    }

    func testLinearHead() {
        let (n, ic, oc) = (3, 6, 2)
        var x = randoms(n * ic), w = randoms(oc * ic), b = randoms(oc)
        let dout = randoms(n * oc)
        func loss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var out = [Float](repeating: 0, count: n * oc)
            Linear.forward(out: &out, x: x, w: w, b: b, n: n, ic: ic, oc: oc)
            return Self.dot(out, dout)
        }
        var dx = [Float](repeating: 0, count: n * ic), dw = [Float](repeating: 0, count: oc * ic), db = [Float](repeating: 0, count: oc)
        Linear.backward(dx: &dx, dw: &dw, db: &db, dout: dout, x: x, w: w, n: n, ic: ic, oc: oc)
        let (x0, w0, b0) = (x, w, b)
        check("linear dx", &x, analytic: dx, eps: 1e-1) { loss($0, w0, b0) }
        check("linear dw", &w, analytic: dw, eps: 1e-1) { loss(x0, $0, b0) }
        check("linear db", &b, analytic: db, eps: 1e-1) { loss(x0, w0, $0) }
    }

    /// Linear.forward is ClassifierHead.logits, bit for bit (training and serving agree exactly).
    func testLinearMatchesClassifierHead() throws {
        let (n, ic, oc) = (4, 16, 3)
        let x = randoms(n * ic), w = randoms(oc * ic), b = randoms(oc)
        let head = try ClassifierHead(weight: Tensor(shape: [oc, ic], values: w), bias: Tensor(shape: [oc], values: b),
                                      labels: ["a", "b", "c"])
        var out = [Float](repeating: 0, count: n * oc)
        Linear.forward(out: &out, x: x, w: w, b: b, n: n, ic: ic, oc: oc)
        XCTAssertEqual(out, head.logits(hidden: x, rows: n))
    }

    // MARK: - Embeddings

    func testEncoder() {
        let (v, maxT, c) = (5, 4, 3)
        var wte = randoms(v * c), wpe = randoms(maxT * c)
        let tokens: [Int32] = [1, 3, 1, 0, 2], positions: [Int32] = [0, 1, 2, 0, 1]  // token 1 twice, two sequences
        let n = tokens.count
        let dout = randoms(n * c)
        func loss(_ wte: [Float], _ wpe: [Float]) -> Double {
            var out = [Float](repeating: 0, count: n * c)
            Encoder.forward(out: &out, tokens: tokens, positions: positions, n: n, wte: wte, wpe: wpe, c: c)
            return Self.dot(out, dout)
        }
        var dwte = [Float](repeating: 0, count: v * c), dwpe = [Float](repeating: 0, count: maxT * c)
        Encoder.backward(dwte: &dwte, dwpe: &dwpe, dout: dout, tokens: tokens, positions: positions, n: n, c: c)
        let (wte0, wpe0) = (wte, wpe)
        check("encoder dwte", &wte, analytic: dwte, eps: 1e-1) { loss($0, wpe0) }
        check("encoder dwpe", &wpe, analytic: dwpe, eps: 1e-1) { loss(wte0, $0) }
        XCTAssertEqual(Array(dwte[(4 * c)..<(5 * c)]), [0, 0, 0], "unused token 4 has no gradient")
    }

    // MARK: - Pooled attention with K and V folded in

    /// Two sequences (lengths 3 and 5) packed; wk, wv, bv are column blocks of a [C, 3C] c_attn.
    func testPooledAttentionMatchesExplicitKVAndItsGradients() {
        let (c, nh) = (8, 2)
        let starts = [0, 3], lengths = [3, 5]
        let n = 8, p = 2, ldw = 3 * c
        var x = randoms(n * c), q = randoms(p * c), w = randoms(c * ldw, scale: 0.5), b = randoms(ldw)
        let dout = randoms(p * c)
        func forward(_ x: [Float], _ q: [Float], _ w: [Float], _ b: [Float],
                     r: inout [Float], m: inout [Float], att: inout [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: p * c)
            w.withUnsafeBufferPointer { w in
                b.withUnsafeBufferPointer { b in
                    PooledAttention.forward(out: &out, r: &r, m: &m, att: &att, x: x, q: q, wk: w.baseAddress! + c, wv: w.baseAddress! + 2 * c,
                                            bv: b.baseAddress! + 2 * c, ldw: ldw, starts: starts, lengths: lengths, c: c, nh: nh)
                }
            }
            return out
        }
        var r = [Float](repeating: 0, count: p * nh * c), m = r, att = [Float](repeating: 0, count: n * nh)
        let out = forward(x, q, w, b, r: &r, m: &m, att: &att)

        // The same through explicit K,V (with the K bias, which the fold drops) and forwardLastQuery.
        for i in 0..<p {
            var kv = [Float](repeating: 0, count: lengths[i] * 2 * c)
            w.withUnsafeBufferPointer { w in
                b.withUnsafeBufferPointer { b in
                    Matmul.forward(out: &kv, x: Array(x[(starts[i] * c)...]), w: w.baseAddress! + c, b: b.baseAddress! + c,
                                   n: lengths[i], ic: c, oc: 2 * c, ldw: ldw)
                }
            }
            var one = [Float](repeating: 0, count: c), scratch = [Float](repeating: 0, count: nh * lengths[i])
            Attention.forwardLastQuery(out: &one, att: &scratch, q: Array(q[(i * c)...]), kv: kv, ldkv: 2 * c, t: lengths[i], c: c, nh: nh)
            for j in 0..<c { XCTAssertEqual(out[i * c + j], one[j], accuracy: 1e-5, "sequence \(i) channel \(j)") }
        }

        var dx = [Float](repeating: 0, count: n * c), dq = [Float](repeating: 0, count: p * c), dw = [Float](repeating: 0, count: c * ldw)
        var db = [Float](repeating: 0, count: ldw)
        var dm = [Float](repeating: 0, count: p * nh * c), dr = dm, datt = [Float](repeating: 0, count: 5 * nh)
        w.withUnsafeBufferPointer { w in
            dw.withUnsafeMutableBufferPointer { dw in
                db.withUnsafeMutableBufferPointer { db in
                    PooledAttention.backward(dx: &dx, dq: &dq, dwk: dw.baseAddress! + c, dwv: dw.baseAddress! + 2 * c, dbv: db.baseAddress! + 2 * c,
                                             dm: &dm, dr: &dr, datt: &datt, dout: dout, r: r, m: m, att: att, x: x, q: q,
                                             wk: w.baseAddress! + c, wv: w.baseAddress! + 2 * c, ldw: ldw, starts: starts, lengths: lengths, c: c, nh: nh)
                }
            }
        }
        func loss(_ x: [Float], _ q: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var (r2, m2, a2) = (r, m, att)
            return Self.dot(forward(x, q, w, b, r: &r2, m: &m2, att: &a2), dout)
        }
        let (x0, q0, w0, b0) = (x, q, w, b)
        check("pooled dx", &x, analytic: dx) { loss($0, q0, w0, b0) }
        check("pooled dq", &q, analytic: dq) { loss(x0, $0, w0, b0) }
        // Only the K and V blocks (columns C..<3C) are inputs here; the Q block gets no gradient.
        check("pooled dw", &w, analytic: dw) { loss(x0, q0, $0, b0) }
        check("pooled db", &b, analytic: db) { loss(x0, q0, w0, $0) }
        XCTAssertEqual(Array(db[c..<(2 * c)]), Array(repeating: 0, count: c), "the K bias shifts whole softmax rows: no gradient")
    }
}
