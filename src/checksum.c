/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The algorithm table and its two back ends: libxxhash for the xxh
 * family (hashes printed in their canonical big-endian form, as xxhsum
 * prints them) and OpenSSL's EVP for the cryptographic ones.  No hash is
 * implemented here.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include "checksum.h"

static const struct checksum_algo algos[] = {
	{ CHECKSUM_XXH128, "xxh128", "XXH128", "xxhsum -H2", 16, 0 },
	{ CHECKSUM_XXH3, "xxh3", "XXH3", "xxhsum -H3", 8, 1 },
	{ CHECKSUM_XXH64, "xxh64", "XXH64", "xxhsum -H1", 8, 0 },
	{ CHECKSUM_SHA256, "sha256", "SHA256", "sha256sum", 32, 0 },
	{ CHECKSUM_SHA512, "sha512", "SHA512", "sha512sum", 64, 0 },
	{ CHECKSUM_SHA1, "sha1", "SHA1", "sha1sum", 20, 0 },
	{ CHECKSUM_MD5, "md5", "MD5", "md5sum", 16, 0 },
	{ CHECKSUM_BLAKE2B, "blake2b", "BLAKE2b", "b2sum", 64, 0 },
};
#define NALGOS (sizeof(algos) / sizeof(algos[0]))

/* The algorithm whose name (or, by_tag, BSD tag) is key, or NULL. */
static const struct checksum_algo *
find(const char *key, int by_tag)
{
	size_t	i;

	for (i = 0; i < NALGOS; i++)
		if (strcmp(key, by_tag ? algos[i].tag : algos[i].name) == 0)
			return &algos[i];
	return NULL;
}

const struct checksum_algo *
checksum_find(const char *name)
{
	return find(name, 0);
}

const struct checksum_algo *
checksum_find_tag(const char *tag)
{
	return find(tag, 1);
}

const struct checksum_algo *
checksum_algos(size_t *n)
{
	*n = NALGOS;
	return algos;
}

static const EVP_MD *
evp_md(enum checksum_kind kind)
{
	switch (kind) {
	case CHECKSUM_SHA256:
		return EVP_sha256();
	case CHECKSUM_SHA512:
		return EVP_sha512();
	case CHECKSUM_SHA1:
		return EVP_sha1();
	case CHECKSUM_MD5:
		return EVP_md5();
	case CHECKSUM_BLAKE2B:
		return EVP_blake2b512();
	default:
		return NULL;
	}
}

int
checksum_init(struct checksum *ck, const struct checksum_algo *algo)
{
	EVP_MD_CTX	*md;

	ck->algo = algo;
	ck->state = NULL;
	switch (algo->kind) {
	case CHECKSUM_XXH128:
	case CHECKSUM_XXH3:
		if ((ck->state = XXH3_createState()) == NULL)
			return -ENOMEM;
		if (algo->kind == CHECKSUM_XXH128)
			(void)XXH3_128bits_reset(ck->state);
		else
			(void)XXH3_64bits_reset(ck->state);
		return 0;
	case CHECKSUM_XXH64:
		if ((ck->state = XXH64_createState()) == NULL)
			return -ENOMEM;
		(void)XXH64_reset(ck->state, 0);
		return 0;
	default:
		if ((md = EVP_MD_CTX_new()) == NULL)
			return -ENOMEM;
		if (EVP_DigestInit_ex(md, evp_md(algo->kind), NULL) != 1) {
			EVP_MD_CTX_free(md);
			return -ENOMEM;
		}
		ck->state = md;
		return 0;
	}
}

void
checksum_update(struct checksum *ck, const void *buf, size_t len)
{
	switch (ck->algo->kind) {
	case CHECKSUM_XXH128:
		(void)XXH3_128bits_update(ck->state, buf, len);
		break;
	case CHECKSUM_XXH3:
		(void)XXH3_64bits_update(ck->state, buf, len);
		break;
	case CHECKSUM_XXH64:
		(void)XXH64_update(ck->state, buf, len);
		break;
	default:
		(void)EVP_DigestUpdate(ck->state, buf, len);
		break;
	}
}

static void
to_hex(const unsigned char *d, size_t n, char *hex)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 0xf];
	}
	hex[2 * n] = '\0';
}

void
checksum_final(struct checksum *ck, char *hex)
{
	unsigned char	d[CHECKSUM_MAX_DIGEST];
	unsigned int	n = 0;

	switch (ck->algo->kind) {
	case CHECKSUM_XXH128: {
		XXH128_canonical_t	c;

		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(ck->state));
		memcpy(d, c.digest, sizeof(c.digest));
		n = sizeof(c.digest);
		break;
	}
	case CHECKSUM_XXH3:
	case CHECKSUM_XXH64: {
		XXH64_canonical_t	c;

		/* Both are 64-bit hashes, written big-endian as xxhsum does. */
		XXH64_canonicalFromHash(&c, ck->algo->kind == CHECKSUM_XXH3 ?
		    XXH3_64bits_digest(ck->state) : XXH64_digest(ck->state));
		memcpy(d, c.digest, sizeof(c.digest));
		n = sizeof(c.digest);
		break;
	}
	default:
		(void)EVP_DigestFinal_ex(ck->state, d, &n);
		break;
	}
	to_hex(d, n, hex);
	checksum_free(ck);
}

void
checksum_free(struct checksum *ck)
{
	if (ck->state == NULL)
		return;
	switch (ck->algo->kind) {
	case CHECKSUM_XXH128:
	case CHECKSUM_XXH3:
		XXH3_freeState(ck->state);
		break;
	case CHECKSUM_XXH64:
		XXH64_freeState(ck->state);
		break;
	default:
		EVP_MD_CTX_free(ck->state);
		break;
	}
	ck->state = NULL;
}
