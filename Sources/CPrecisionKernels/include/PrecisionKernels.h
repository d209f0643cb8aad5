// The elementwise passes around a reduced-precision matmul: converting activations to bf16,
// quantizing them to int8 per row, and turning int32 products back into fp32. In C so that the
// compiler can build one copy per instruction set (`target_clones`), picked when the library
// loads: Swift has no per-function target attributes, and its loops here ran 3-9x slower.
#pragma once
#include <stdint.h>

/// out[i] = x[i] rounded to bfloat16 (nearest, ties to even).
void sift_round_to_bf16(const float *x, uint16_t *out, int64_t count);

/// For each row r of x[M, K]: scales[r] = max |x[r, c]| over values below `threshold`, / 127
/// (1 for a row of zeros), and q[r, c] = round(x[r, c] / scales[r]), or 0 where |x[r, c]| is
/// at or over the threshold (those are kept in fp32 by the caller).
void sift_quantize_rows(const float *x, int64_t m, int64_t k, float threshold, int8_t *q, float *scales);

/// columnMax[c] = max over rows of |x[r, c]|, x[M, K].
void sift_column_abs_max(const float *x, int64_t m, int64_t k, float *columnMax);

/// out[r, j] (+)= acc[r, j] · rowScale[r] · columnScale[j] (+ bias[j] when non-null), [M, N].
void sift_dequantize(float *out, const int32_t *acc, const float *rowScale, const float *columnScale, const float *bias,
                     int64_t m, int64_t n, int accumulate);
