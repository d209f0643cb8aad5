#include "PrecisionKernels.h"
#include <string.h>

// The same results from every copy: no fused multiply-adds where the baseline has none.
#pragma STDC FP_CONTRACT OFF

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

static inline uint32_t bits_of(float v) { uint32_t u; memcpy(&u, &v, 4); return u; }
static inline float float_of(uint32_t u) { float v; memcpy(&v, &u, 4); return v; }

CLONES void sift_round_to_bf16(const float *x, uint16_t *out, int64_t count) {
    for (int64_t i = 0; i < count; i++) {
        uint32_t u = bits_of(x[i]);
        out[i] = (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
    }
}

CLONES void sift_quantize_rows(const float *x, int64_t m, int64_t k, float threshold, int8_t *q, float *scales) {
    // Magnitudes compared as bit patterns: for non-negative floats their order is the
    // integers' order, and an integer max reduction vectorizes where a float one may not.
    const uint32_t limit = bits_of(threshold);
    for (int64_t r = 0; r < m; r++) {
        const float *row = x + r * k;
        int8_t *qr = q + r * k;
        uint32_t top = 0;
        for (int64_t c = 0; c < k; c++) {
            uint32_t a = bits_of(row[c]) & 0x7fffffffu;
            uint32_t kept = a < limit ? a : 0;
            top = kept > top ? kept : top;
        }
        float amax = float_of(top);
        float scale = amax > 0 ? amax / 127 : 1;
        float inverse = 1 / scale;
        scales[r] = scale;
        for (int64_t c = 0; c < k; c++) {
            uint32_t a = bits_of(row[c]) & 0x7fffffffu;
            // Adding 1.5·2²³ leaves the nearest integer (ties to even) in the low mantissa bits.
            float y = (a < limit ? row[c] : 0.0f) * inverse + 12582912.0f;
            qr[c] = (int8_t)(bits_of(y) & 0xffu);
        }
    }
}

CLONES void sift_column_abs_max(const float *x, int64_t m, int64_t k, float *columnMax) {
    uint32_t *top = (uint32_t *)columnMax;
    for (int64_t c = 0; c < k; c++) top[c] = 0;
    for (int64_t r = 0; r < m; r++) {
        const float *row = x + r * k;
        for (int64_t c = 0; c < k; c++) {
            uint32_t a = bits_of(row[c]) & 0x7fffffffu;
            top[c] = a > top[c] ? a : top[c];
        }
    }
}

CLONES void sift_dequantize(float *out, const int32_t *acc, const float *rowScale, const float *columnScale, const float *bias,
                            int64_t m, int64_t n, int accumulate) {
    for (int64_t r = 0; r < m; r++) {
        float *o = out + r * n;
        const int32_t *a = acc + r * n;
        const float s = rowScale[r];
        if (accumulate) {
            if (bias) { for (int64_t j = 0; j < n; j++) o[j] += (float)a[j] * (s * columnScale[j]) + bias[j]; }
            else { for (int64_t j = 0; j < n; j++) o[j] += (float)a[j] * (s * columnScale[j]); }
        } else {
            if (bias) { for (int64_t j = 0; j < n; j++) o[j] = (float)a[j] * (s * columnScale[j]) + bias[j]; }
            else { for (int64_t j = 0; j < n; j++) o[j] = (float)a[j] * (s * columnScale[j]); }
        }
    }
}
