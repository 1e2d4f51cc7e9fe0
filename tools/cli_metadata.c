/* cli_metadata.c - permission bits, owner and times from input to output (see
 * cli_metadata.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_metadata.h"

#include <sys/types.h>
#include <unistd.h>

void cli_metadata_copy(int fd, const struct stat *from, bool times) {
    /* Ownership first: chown clears the set-ID bits, so the mode must come after it. A user
     * other than root may only give the group, and only one of his own. */
    int owned = geteuid() == 0 ? fchown(fd, from->st_uid, from->st_gid)
                               : fchown(fd, (uid_t)-1, from->st_gid);
    (void)owned; /* the fstat below tells what was given */
    mode_t mode = from->st_mode & 07777;
    struct stat now;
    if (fstat(fd, &now) != 0) {
        mode &= (mode_t) ~(S_ISUID | S_ISGID);
    } else {
        /* A set-ID bit on a file of another owner or group would grant what the input's
         * did not. */
        if (now.st_uid != from->st_uid) mode &= (mode_t)~S_ISUID;
        if (now.st_gid != from->st_gid) mode &= (mode_t)~S_ISGID;
    }
    (void)fchmod(fd, mode);
    if (times) {
        const struct timespec stamps[2] = {from->st_atim, from->st_mtim};
        (void)futimens(fd, stamps);
    }
}

void cli_metadata_default_mode(int fd) {
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
}
