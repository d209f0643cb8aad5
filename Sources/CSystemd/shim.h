// libsystemd (Debian: libsystemd-dev): sd_notify, socket activation and the journal.
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/uio.h>

// sd_journal_send is variadic and cannot be called from Swift; sd_journal_sendv takes an
// array of "FIELD=value" iovecs, which Swift can build.
static inline int sift_journal_sendv(const struct iovec *fields, int count) {
    return sd_journal_sendv(fields, count);
}
