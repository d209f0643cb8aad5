// oneDNN (Debian's libdnnl-dev, which ships no pkg-config file) for the reduced-precision
// matmuls of the frozen blocks, plus a few wrappers that keep oneDNN's descriptor plumbing in C.
#pragma once
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <oneapi/dnnl/dnnl.h>

/// The weights layout oneDNN's matmul wants for a K×N weight of type `wdt` with sources of type
/// `sdt`. It does not depend on M (checked for M from 1 to 2500), so weights are packed once.
/// `impl` receives the implementation's name ("brg:avx512_core_bf16", or "ref:any" when the CPU
/// has no fast kernel for this type).
static inline dnnl_status_t sift_dnnl_packed_layout(dnnl_engine_t engine, int64_t k, int64_t n, dnnl_data_type_t sdt,
                                                    dnnl_data_type_t wdt, dnnl_data_type_t ddt, dnnl_memory_desc_t *packed,
                                                    char *impl, size_t impl_size) {
    dnnl_memory_desc_t s, w, d;
    dnnl_dims_t sd = {64, k}, wd = {k, n}, dd = {64, n};
    dnnl_status_t st;
    if ((st = dnnl_memory_desc_init_by_tag(&s, 2, sd, sdt, dnnl_ab))) return st;
    if ((st = dnnl_memory_desc_init_by_tag(&w, 2, wd, wdt, dnnl_format_tag_any))) return st;
    if ((st = dnnl_memory_desc_init_by_tag(&d, 2, dd, ddt, dnnl_ab))) return st;
    dnnl_matmul_desc_t md;
    if ((st = dnnl_matmul_desc_init(&md, &s, &w, NULL, &d))) return st;
    dnnl_primitive_desc_t pd;
    if ((st = dnnl_primitive_desc_create(&pd, &md, NULL, engine, NULL))) return st;
    const char *name = "";
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
    if (impl_size > 0) { strncpy(impl, name, impl_size - 1); impl[impl_size - 1] = 0; }
    *packed = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    return dnnl_primitive_desc_destroy(pd);
}

static inline size_t sift_dnnl_size(const dnnl_memory_desc_t *md) { return dnnl_memory_desc_get_size(md); }

/// Copies a plain row-major K×N weight (`wdt`) into `packed`'s layout (for int8, oneDNN also
/// computes its compensation terms here).
static inline dnnl_status_t sift_dnnl_pack(dnnl_engine_t engine, int64_t k, int64_t n, dnnl_data_type_t wdt, const void *plain,
                                           const dnnl_memory_desc_t *packed, void *out) {
    dnnl_memory_desc_t p;
    dnnl_dims_t wd = {k, n};
    dnnl_status_t st;
    if ((st = dnnl_memory_desc_init_by_tag(&p, 2, wd, wdt, dnnl_ab))) return st;
    dnnl_memory_t from, to;
    if ((st = dnnl_memory_create(&from, &p, engine, (void *)plain))) return st;
    if ((st = dnnl_memory_create(&to, packed, engine, out))) { dnnl_memory_destroy(from); return st; }
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t r = NULL;
    dnnl_stream_t stream = NULL;
    st = dnnl_reorder_primitive_desc_create(&pd, &p, engine, packed, engine, NULL);
    if (!st) { st = dnnl_primitive_create(&r, pd); dnnl_primitive_desc_destroy(pd); }
    if (!st) st = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags);
    if (!st) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
        st = dnnl_primitive_execute(r, stream, 2, args);
        if (!st) st = dnnl_stream_wait(stream);
    }
    if (stream) dnnl_stream_destroy(stream);
    if (r) dnnl_primitive_destroy(r);
    dnnl_memory_destroy(from);
    dnnl_memory_destroy(to);
    return st;
}

/// dst[M, N] (ddt) = src[M, K] (sdt) · packed weights [K, N] (+ bias[N], f32, when non-null)
/// (+ dst when `accumulate`). The primitive for this M comes from oneDNN's primitive cache after
/// its first use (about 4 µs against about 1 ms to generate), so it is made per call.
static inline dnnl_status_t sift_dnnl_matmul(dnnl_engine_t engine, dnnl_stream_t stream, int64_t m, int64_t k, int64_t n,
                                             dnnl_data_type_t sdt, const void *src, const dnnl_memory_desc_t *packed,
                                             const void *weights, const float *bias, dnnl_data_type_t ddt, void *dst, int accumulate) {
    dnnl_memory_desc_t s, b, d;
    dnnl_dims_t sd = {m, k}, bd = {1, n}, dd = {m, n};
    dnnl_status_t st;
    if ((st = dnnl_memory_desc_init_by_tag(&s, 2, sd, sdt, dnnl_ab))) return st;
    if ((st = dnnl_memory_desc_init_by_tag(&b, 2, bd, dnnl_f32, dnnl_ab))) return st;
    if ((st = dnnl_memory_desc_init_by_tag(&d, 2, dd, ddt, dnnl_ab))) return st;
    dnnl_matmul_desc_t md;
    if ((st = dnnl_matmul_desc_init(&md, &s, packed, bias ? &b : NULL, &d))) return st;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    if (accumulate) {
        if ((st = dnnl_primitive_attr_create(&attr))) return st;
        if (!(st = dnnl_post_ops_create(&ops))) {
            st = dnnl_post_ops_append_sum(ops, 1.0f);
            if (!st) st = dnnl_primitive_attr_set_post_ops(attr, ops);
            dnnl_post_ops_destroy(ops);
        }
        if (st) { dnnl_primitive_attr_destroy(attr); return st; }
    }
    dnnl_primitive_desc_t pd;
    st = dnnl_primitive_desc_create(&pd, &md, attr, engine, NULL);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (st) return st;
    dnnl_primitive_t p;
    st = dnnl_primitive_create(&p, pd);
    dnnl_primitive_desc_destroy(pd);
    if (st) return st;
    dnnl_memory_t sm = NULL, wm = NULL, bm = NULL, dm = NULL;
    if (!st) st = dnnl_memory_create(&sm, &s, engine, (void *)src);
    if (!st) st = dnnl_memory_create(&wm, packed, engine, (void *)weights);
    if (!st && bias) st = dnnl_memory_create(&bm, &b, engine, (void *)bias);
    if (!st) st = dnnl_memory_create(&dm, &d, engine, dst);
    if (!st) {
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, sm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, dm}, {DNNL_ARG_BIAS, bm}};
        st = dnnl_primitive_execute(p, stream, bias ? 4 : 3, args);
        if (!st) st = dnnl_stream_wait(stream);
    }
    if (sm) dnnl_memory_destroy(sm);
    if (wm) dnnl_memory_destroy(wm);
    if (bm) dnnl_memory_destroy(bm);
    if (dm) dnnl_memory_destroy(dm);
    dnnl_primitive_destroy(p);
    return st;
}

/// oneDNN threads through OpenMP, whose thread count is per calling thread: each forward pass
/// sets it on its own thread. Looked up at run time because only libdnnl links libgomp.
static void (*sift_omp_set_num_threads_function)(int) = 0;
static pthread_once_t sift_omp_lookup = PTHREAD_ONCE_INIT;
static inline void sift_omp_find(void) {
    sift_omp_set_num_threads_function = (void (*)(int))dlsym(RTLD_DEFAULT, "omp_set_num_threads");
}
static inline void sift_omp_set_num_threads(int count) {
    pthread_once(&sift_omp_lookup, sift_omp_find);
    if (sift_omp_set_num_threads_function) sift_omp_set_num_threads_function(count);
}
