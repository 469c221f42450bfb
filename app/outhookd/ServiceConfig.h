#pragma once

#include "storage/Database.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace outhook::cli {

// What an `outhookd --config FILE` holds: the same settings as the flags, grouped in INI sections.
// Unset members mean "the file does not say"; flags override them and they override the defaults.
struct ServiceConfig
{
    QString databaseUrl;
    std::optional<Database::Durability> durability;
    QString apiListen;
    QString apiCert;
    QString apiKey;
    std::optional<QStringList> caFiles;
    std::optional<QStringList> allowedDestinations;
    // Kept as text: `serve`/`dispatch` parse them exactly like the flags of the same name.
    QString concurrency;
    QString lease;
    QString shutdownTimeout;
    QString autoDisableAfter;
    QString logFormat; // "text" or "json"
};

// One problem in a config file. line is 1-based, or 0 when the file as a whole is wrong.
struct ConfigProblem
{
    int line = 0;
    QString key;
    QString message;
};

// Validates a config file line by line (QSettings keeps no line numbers, so this reads the INI text
// itself): unknown sections and keys, lines that are not `key = value`, duplicates and bad values.
QList<ConfigProblem> checkConfigFile(const QString& path);

// Reads the settings through QSettings. Call it only on a file checkConfigFile() accepted.
ServiceConfig loadConfigFile(const QString& path);

// "FILE:LINE: key: message", the format `config check` and every command print problems in.
QString formatConfigProblem(const QString& path, const ConfigProblem& problem);

// Checks one value of the [section] key; returns the problem text, or an empty string when it is fine.
QString checkConfigValue(const QString& section, const QString& key, const QString& value);

} // namespace outhook::cli
