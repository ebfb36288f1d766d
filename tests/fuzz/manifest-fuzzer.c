/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the manifest parser: any bytes, as one line, with
 * and without an algorithm given.  Built with --enable-fuzzing (clang);
 * .ci/run runs it briefly.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest_entry	 e;
	const char		*why;
	char			*line;

	if (size > MANIFEST_MAX_LINE)
		return 0;
	/* A copy of exactly size bytes, so overreads are caught. */
	if ((line = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	memcpy(line, data, size);
	if (manifest_parse(line, size, NULL, &e, &why) == 0) {
		if (strlen(e.hex) != 2 * e.algo->size)
			abort();
		free(e.name);
	}
	if (manifest_parse(line, size, checksum_find("sha256"), &e,
	    &why) == 0)
		free(e.name);
	free(line);
	return 0;
}
