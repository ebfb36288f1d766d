/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The algorithm table and its two back ends: libxxhash for the xxh
 * family (hashes printed in their canonical big-endian form, as xxhsum
 * prints them) and OpenSSL's EVP for the cryptographic ones.  No hash is
 * implemented here.
 *
 * libcrypto is loaded when a hash of its is first asked for, not linked:
 * loading and relocating it costs every run about 3 ms of CPU here (an
 * empty program linked with it against without: 4.55 against 1.34 ms,
 * perf stat -r 100), more than copying a small file takes, and only
 * sha*, md5 and blake2b need it.
 */
#include "config.h"

#include <dlfcn.h>
#include <err.h>
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

/* What is taken from libcrypto: the EVP calls, by their names there. */
static struct {
	int		 tried;
	int		 ok;
	EVP_MD_CTX	*(*ctx_new)(void);
	void		 (*ctx_free)(EVP_MD_CTX *);
	int		 (*init)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
	int		 (*update)(EVP_MD_CTX *, const void *, size_t);
	int		 (*final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
	const EVP_MD	*(*sha256)(void);
	const EVP_MD	*(*sha512)(void);
	const EVP_MD	*(*sha1)(void);
	const EVP_MD	*(*md5)(void);
	const EVP_MD	*(*blake2b)(void);
} crypto;

/* Load libcrypto once: 0, or -1 after a message naming it and why. */
static int
crypto_load(void)
{
	static const struct {
		const char	*name;
		void		*where;
	} syms[] = {
		{ "EVP_MD_CTX_new", &crypto.ctx_new },
		{ "EVP_MD_CTX_free", &crypto.ctx_free },
		{ "EVP_DigestInit_ex", &crypto.init },
		{ "EVP_DigestUpdate", &crypto.update },
		{ "EVP_DigestFinal_ex", &crypto.final },
		{ "EVP_sha256", &crypto.sha256 },
		{ "EVP_sha512", &crypto.sha512 },
		{ "EVP_sha1", &crypto.sha1 },
		{ "EVP_md5", &crypto.md5 },
		{ "EVP_blake2b512", &crypto.blake2b },
	};
	void	*lib, *sym;
	size_t	 i;

	if (crypto.tried)
		return crypto.ok ? 0 : -1;
	crypto.tried = 1;
	if ((lib = dlopen(LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		warnx("cannot load OpenSSL's %s for sha*, md5 and blake2b: %s",
		    LIBCRYPTO_SONAME, dlerror());
		return -1;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if ((sym = dlsym(lib, syms[i].name)) == NULL) {
			warnx("%s has no %s: %s", LIBCRYPTO_SONAME,
			    syms[i].name, dlerror());
			(void)dlclose(lib);
			return -1;
		}
		/* A function's address, as dlsym(3) hands it over. */
		memcpy(syms[i].where, &sym, sizeof(sym));
	}
	/* Kept loaded to the end: its hashes may run until exit. */
	crypto.ok = 1;
	return 0;
}

int
checksum_fast(const struct checksum_algo *algo)
{
	return algo->kind == CHECKSUM_XXH128 || algo->kind == CHECKSUM_XXH3 ||
	    algo->kind == CHECKSUM_XXH64;
}

int
checksum_ready(const struct checksum_algo *algo)
{
	switch (algo->kind) {
	case CHECKSUM_XXH128:
	case CHECKSUM_XXH3:
	case CHECKSUM_XXH64:
		return 0;
	default:
		return crypto_load();
	}
}

static const EVP_MD *
evp_md(enum checksum_kind kind)
{
	switch (kind) {
	case CHECKSUM_SHA256:
		return crypto.sha256();
	case CHECKSUM_SHA512:
		return crypto.sha512();
	case CHECKSUM_SHA1:
		return crypto.sha1();
	case CHECKSUM_MD5:
		return crypto.md5();
	case CHECKSUM_BLAKE2B:
		return crypto.blake2b();
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
		if (crypto_load() < 0)
			return -ELIBACC;
		if ((md = crypto.ctx_new()) == NULL)
			return -ENOMEM;
		if (crypto.init(md, evp_md(algo->kind), NULL) != 1) {
			crypto.ctx_free(md);
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
		(void)crypto.update(ck->state, buf, len);
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
		(void)crypto.final(ck->state, d, &n);
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
		crypto.ctx_free(ck->state);
		break;
	}
	ck->state = NULL;
}
