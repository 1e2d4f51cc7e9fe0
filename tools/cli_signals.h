/* cli_signals.h - removing the temporary output file when the program is interrupted.
 *
 * Output goes to a temporary file that is renamed into place only on success. If SIGINT,
 * SIGTERM or SIGHUP arrives meanwhile, the handler unlinks that file and then lets the signal
 * take its default effect, so the user never finds a half-written file and the parent still
 * sees a death by signal (a shell reports status 128 + signal number).
 */
#ifndef EMZIP_CLI_SIGNALS_H
#define EMZIP_CLI_SIGNALS_H

#include <signal.h>

/* Installs the handlers, leaving alone any of the signals that were ignored when the program
 * started (e.g. SIGHUP under nohup), and ignores SIGXFSZ. Call once, before any temporary
 * file exists. */
void cli_signals_install(void);

/* Defers the handled signals between hold and release, e.g. across creating a temporary file
 * and naming it with cli_signals_set_cleanup_path, so no signal falls between the two. */
typedef struct cli_signal_hold {
    sigset_t previous_mask;
} cli_signal_hold;

void cli_signals_hold(cli_signal_hold *hold);
void cli_signals_release(const cli_signal_hold *hold);

/* Names the file the handlers remove (NULL: none). The string must stay valid until it is
 * replaced. Signals are held while the name changes, so a handler never sees it half set. */
void cli_signals_set_cleanup_path(const char *path);

#endif /* EMZIP_CLI_SIGNALS_H */
