#include "ServiceConfig.h"

#include "api/ApiServer.h"
#include "delivery/DestinationPolicy.h"
#include "storage/DatabaseUrl.h"
#include "util/Time.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSettings>

namespace outhook::cli {

namespace {

// The sections and keys a config file may hold.
const QHash<QString, QStringList>& schema()
{
    static const QHash<QString, QStringList> s{
        {QStringLiteral("database"), {QStringLiteral("url"), QStringLiteral("durability")}},
        {QStringLiteral("api"), {QStringLiteral("listen"), QStringLiteral("cert"), QStringLiteral("key")}},
        {QStringLiteral("delivery"),
         {QStringLiteral("ca_files"), QStringLiteral("allowed_destinations"), QStringLiteral("concurrency"),
          QStringLiteral("lease"), QStringLiteral("shutdown_timeout"), QStringLiteral("auto_disable_after")}},
        {QStringLiteral("log"), {QStringLiteral("format")}},
    };
    return s;
}

QStringList splitList(const QString& value)
{
    QStringList out;
    for (const QString& part : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!part.trimmed().isEmpty())
            out << part.trimmed();
    return out;
}

QString durationProblem(const QString& value, qint64 min, qint64 max, const QString& range)
{
    const auto seconds = time::parseDurationSeconds(value);
    if (!seconds)
        return QStringLiteral("not a duration (e.g. 30s, 5m, 1h, 5d)");
    if (*seconds < min || *seconds > max)
        return QStringLiteral("must be ") + range;
    return {};
}

// Strips a `; comment` and the quotes QSettings would strip.
QString cleanValue(QString value)
{
    if (const qsizetype semi = value.indexOf(QLatin1Char(';')); semi >= 0 && !value.startsWith(QLatin1Char('"')))
        value.truncate(semi);
    value = value.trimmed();
    if (value.size() >= 2 && value.startsWith(QLatin1Char('"')) && value.endsWith(QLatin1Char('"')))
        value = value.mid(1, value.size() - 2);
    return value;
}

} // namespace

QString checkConfigValue(const QString& section, const QString& key, const QString& value)
{
    if (value.isEmpty())
        return QStringLiteral("empty value");
    if (key == QLatin1String("url")) {
        const auto url = DatabaseUrl::parse(value);
        return url ? QString() : url.error().message;
    }
    if (key == QLatin1String("durability"))
        return value == QLatin1String("normal") || value == QLatin1String("full")
                   ? QString()
                   : QStringLiteral("must be normal or full");
    if (key == QLatin1String("listen")) {
        const auto listen = api::ApiServer::parseListen(value);
        return listen ? QString() : QStringLiteral("must be HOST:PORT, e.g. 127.0.0.1:8080");
    }
    if (key == QLatin1String("cert") || key == QLatin1String("key") || key == QLatin1String("ca_files")) {
        const QStringList files = key == QLatin1String("ca_files") ? splitList(value) : QStringList{value};
        for (const QString& file : files)
            if (!QFileInfo(file).isFile() || !QFileInfo(file).isReadable())
                return QStringLiteral("%1: not a readable file").arg(file);
        return {};
    }
    if (key == QLatin1String("allowed_destinations")) {
        DestinationPolicy policy;
        for (const QString& cidr : splitList(value))
            if (!policy.allow(cidr))
                return QStringLiteral("%1: not an address or CIDR range (e.g. 127.0.0.0/8)").arg(cidr);
        return {};
    }
    if (key == QLatin1String("concurrency")) {
        bool ok = false;
        const int n = value.toInt(&ok);
        return ok && n >= 1 && n <= 4096 ? QString() : QStringLiteral("must be between 1 and 4096");
    }
    if (key == QLatin1String("lease"))
        return durationProblem(value, 2, 3600, QStringLiteral("between 2s and 1h"));
    if (key == QLatin1String("shutdown_timeout"))
        return durationProblem(value, 0, 3600, QStringLiteral("at most 1h"));
    if (key == QLatin1String("auto_disable_after"))
        return durationProblem(value, 60, std::numeric_limits<qint64>::max(), QStringLiteral("at least 1m"));
    if (key == QLatin1String("format"))
        return value == QLatin1String("text") || value == QLatin1String("json")
                   ? QString()
                   : QStringLiteral("must be text or json");
    return QStringLiteral("unknown key in [%1]").arg(section);
}

QList<ConfigProblem> checkConfigFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {{0, QString(), QStringLiteral("cannot read: ") + file.errorString()}};
    QList<ConfigProblem> problems;
    QString section;
    bool sectionKnown = true;
    QHash<QString, int> seen; // "section/key" → line
    QHash<QString, int> tlsLines;
    int lineNo = 0;
    while (!file.atEnd()) {
        ++lineNo;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char(';')))
            continue;
        if (line.startsWith(QLatin1Char('['))) {
            if (!line.endsWith(QLatin1Char(']'))) {
                problems.append({lineNo, QString(), QStringLiteral("a section header must look like [name]")});
                sectionKnown = false;
                continue;
            }
            section = line.mid(1, line.size() - 2).trimmed();
            sectionKnown = schema().contains(section);
            if (!sectionKnown)
                problems.append({lineNo, QLatin1Char('[') + section + QLatin1Char(']'),
                                 QStringLiteral("unknown section (known: api, database, delivery, log)")});
            continue;
        }
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            problems.append({lineNo, QString(), QStringLiteral("expected key = value")});
            continue;
        }
        const QString key = line.left(eq).trimmed();
        const QString value = cleanValue(line.mid(eq + 1));
        if (!sectionKnown)
            continue; // the section is already reported
        if (section.isEmpty()) {
            problems.append({lineNo, key,
                             QStringLiteral("outside a section; put it under [database], [api], "
                                            "[delivery] or [log]")});
            continue;
        }
        if (!schema().value(section).contains(key)) {
            problems.append({lineNo, key, QStringLiteral("unknown key in [%1]").arg(section)});
            continue;
        }
        const QString full = section + QLatin1Char('/') + key;
        if (seen.contains(full)) {
            problems.append({lineNo, key, QStringLiteral("set twice (first on line %1)").arg(seen.value(full))});
            continue;
        }
        seen.insert(full, lineNo);
        if (section == QLatin1String("api") && (key == QLatin1String("cert") || key == QLatin1String("key")))
            tlsLines.insert(key, lineNo);
        if (const QString problem = checkConfigValue(section, key, value); !problem.isEmpty())
            problems.append({lineNo, key, problem});
    }
    if (tlsLines.size() == 1) {
        const QString given = tlsLines.keys().first();
        problems.append({tlsLines.value(given), given, QStringLiteral("TLS needs both cert and key in [api]")});
    }
    std::stable_sort(problems.begin(), problems.end(),
                     [](const ConfigProblem& a, const ConfigProblem& b) { return a.line < b.line; });
    return problems;
}

ServiceConfig loadConfigFile(const QString& path)
{
    QSettings s(path, QSettings::IniFormat);
    // QSettings turns "a, b" into a list; join it back so every key reads the same way.
    const auto text = [&s](const char* key) {
        const QVariant v = s.value(QLatin1String(key));
        return (v.typeId() == QMetaType::QStringList ? v.toStringList().join(QLatin1Char(',')) : v.toString())
            .trimmed();
    };
    const auto list = [&](const char* key) -> std::optional<QStringList> {
        if (!s.contains(QLatin1String(key)))
            return std::nullopt;
        return splitList(text(key));
    };
    ServiceConfig c;
    c.databaseUrl = text("database/url");
    if (const QString d = text("database/durability"); !d.isEmpty())
        c.durability = d == QLatin1String("full") ? Database::Durability::Full : Database::Durability::Normal;
    c.apiListen = text("api/listen");
    c.apiCert = text("api/cert");
    c.apiKey = text("api/key");
    c.caFiles = list("delivery/ca_files");
    c.allowedDestinations = list("delivery/allowed_destinations");
    c.concurrency = text("delivery/concurrency");
    c.lease = text("delivery/lease");
    c.shutdownTimeout = text("delivery/shutdown_timeout");
    c.autoDisableAfter = text("delivery/auto_disable_after");
    c.logFormat = text("log/format");
    return c;
}

QString formatConfigProblem(const QString& path, const ConfigProblem& p)
{
    QString out = path + QLatin1Char(':');
    if (p.line > 0)
        out += QString::number(p.line) + QLatin1Char(':');
    out += QLatin1Char(' ');
    if (!p.key.isEmpty())
        out += p.key + QStringLiteral(": ");
    return out + p.message;
}

} // namespace outhook::cli
