#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace outhook::security::keychain {

// The OS keychain (Secret Service, macOS Keychain, Windows Credential Store) through QtKeychain, when
// Outhook was built with it (OUTHOOK_HAVE_QTKEYCHAIN). Entries live under the service "outhook".
// It is asked only when the caller opts in (the desktop app does; outhookd and the tests do not) or
// $OUTHOOK_KEYCHAIN=on; $OUTHOOK_KEYCHAIN=off turns it off everywhere.
// Outhook only reads it: an operator who prefers the keychain to a key file stores the base64 key there
// (README, "Master key") and removes the file. Calls block until the keychain answers; they run only
// while a database is being opened.

// Whether to ask the keychain at all: `callerWants` unless $OUTHOOK_KEYCHAIN says on or off.
bool wanted(bool callerWants);
// False when not built in, turned off, or no keychain service answers.
bool isAvailable();
// The stored text, or nothing when there is no entry (or no keychain).
std::optional<QByteArray> read(const QString& account);

} // namespace outhook::security::keychain
