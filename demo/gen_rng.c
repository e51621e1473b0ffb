/* SPDX-License-Identifier: Apache-2.0
 *
 * The generator's PRNG: xoshiro256** (Blackman and Vigna) seeded through
 * splitmix64, as its authors recommend.
 *
 * Why our own: rand(3) and random(3) differ between C libraries, and the
 * demo promises the same tree for the same seed on every machine. Only
 * integer arithmetic is used here and by the callers (no floating point in
 * any decision), so no libm or FPU difference can change a byte. Not for
 * anything secret: key generation uses OpenSSL.
 */
#include "gen.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void gen_rng_seed(struct gen_rng *r, uint64_t seed, uint64_t stream)
{
	/* The stream number is mixed in first so that streams of one seed start
	 * far apart in splitmix64's sequence. */
	uint64_t x = seed ^ (0x6a09e667f3bcc909ULL * (stream + 1));

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

uint64_t gen_rng_next(struct gen_rng *r)
{
	uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t gen_rng_below(struct gen_rng *r, uint32_t n)
{
	/* Lemire's multiply-shift; the bias (< n / 2^32) is irrelevant here. */
	return (uint32_t)(((gen_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

int gen_rng_chance(struct gen_rng *r, unsigned per10k)
{
	return gen_rng_below(r, 10000) < per10k;
}

void gen_rng_hex(struct gen_rng *r, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t x = 0;

	for (size_t i = 0; i < n; i++) {
		if (i % 16 == 0)
			x = gen_rng_next(r);
		out[i] = hex[x & 15];
		x >>= 4;
	}
	out[n] = '\0';
}
