#pragma once

#include "storage/Database.h"
#include "util/Result.h"

#include <QStringList>

namespace outhook::ui {

// Settings that belong to one person on one machine, kept in QSettings: which database to open and how,
// which files and private ranges this app's own engine trusts, and the language. They apply at the next
// start; the command-line flags (--db, --no-engine, --ca-file, --allow-destination) override or add to
// them. Team-wide settings live in the database instead (SettingsStore).
struct PersonalSettings
{
    QString databaseUrl; // empty: $OUTHOOK_DB or the default file
    bool runEngine = true;
    Database::Durability durability = Database::Durability::Normal;
    QStringList caFiles;
    QStringList allowedDestinations; // CIDRs or single addresses
    QString language;                // "" (system default), "en", "de" or "fr"

    static PersonalSettings load();
    void save() const;

    // Every problem, each with its field: database, ca_files, allowed_destinations, language.
    FieldErrors validate() const;

    static const QStringList& languageCodes(); // "", "en", "de", "fr"
    bool operator==(const PersonalSettings&) const = default;
};

} // namespace outhook::ui
