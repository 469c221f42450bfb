#pragma once

// Shared by the libFuzzer targets: a failed invariant prints what broke and aborts, so libFuzzer
// records the input as a crash (assert() would vanish in a release build).
#include <QByteArray>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                                         \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            std::fprintf(stderr, "invariant failed: %s (%s) at %s:%d\n", #cond, qPrintable(QString(what)), __FILE__,   \
                         __LINE__);                                                                                    \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (0)

namespace outhook::fuzz {

inline QByteArray bytes(const uint8_t* data, size_t size)
{
    return QByteArray(reinterpret_cast<const char*>(data), qsizetype(size));
}

} // namespace outhook::fuzz
