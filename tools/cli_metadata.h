/* cli_metadata.h - an output file takes its input's permission bits, owner and times.
 *
 * As gzip and zstd do: a private checkpoint (mode 600) stays private once compressed or
 * restored, and tools that compare times (make, rsync) see the original's. Applied to the
 * temporary file before it is renamed into place, so no output is ever visible with wider
 * permissions than its final ones.
 */
#ifndef EMZIP_CLI_METADATA_H
#define EMZIP_CLI_METADATA_H

#include <stdbool.h>
#include <sys/stat.h>

/* Gives fd, a file this process created, the owner and group of `from` where permitted (both
 * as root; otherwise the group, if the user belongs to it), then its permission bits, and with
 * times its access and modification times, to the nanosecond. The set-user-ID and
 * set-group-ID bits are kept only if the owner, respectively the group, could be given.
 * Failures are ignored, as zstd does (a file system may hold no owners or modes); a bit that
 * could not be set errs on the private side, since fd was created with mode 600. */
void cli_metadata_copy(int fd, const struct stat *from, bool times);

/* Gives fd the mode a file created by open(path, O_CREAT, 0666) would have: 0666 less the
 * umask. */
void cli_metadata_default_mode(int fd);

#endif /* EMZIP_CLI_METADATA_H */
