#include "settings/PersonalSettings.h"

#include "delivery/DestinationPolicy.h"
#include "storage/DatabaseUrl.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSettings>

namespace outhook::ui {

namespace {

// Gives the validation messages a context that lupdate can see (PersonalSettings has no Q_OBJECT).
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(PersonalSettings)
};

const QString kUrlKey = QStringLiteral("database/url");
const QString kDurabilityKey = QStringLiteral("database/durability");
const QString kEngineKey = QStringLiteral("engine/inProcess");
const QString kCaFilesKey = QStringLiteral("network/caFiles");
const QString kAllowedKey = QStringLiteral("network/allowedDestinations");
const QString kLanguageKey = QStringLiteral("ui/language");

} // namespace

const QStringList& PersonalSettings::languageCodes()
{
    static const QStringList codes{QString(), QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("fr")};
    return codes;
}

PersonalSettings PersonalSettings::load()
{
    const QSettings s;
    PersonalSettings p;
    p.databaseUrl = s.value(kUrlKey).toString();
    p.runEngine = s.value(kEngineKey, true).toBool();
    p.durability = s.value(kDurabilityKey).toString() == QLatin1String("full") ? Database::Durability::Full
                                                                               : Database::Durability::Normal;
    p.caFiles = s.value(kCaFilesKey).toStringList();
    p.allowedDestinations = s.value(kAllowedKey).toStringList();
    p.language = s.value(kLanguageKey).toString();
    if (!languageCodes().contains(p.language))
        p.language.clear();
    return p;
}

void PersonalSettings::save() const
{
    QSettings s;
    s.setValue(kUrlKey, databaseUrl);
    s.setValue(kEngineKey, runEngine);
    s.setValue(kDurabilityKey,
               durability == Database::Durability::Full ? QStringLiteral("full") : QStringLiteral("normal"));
    s.setValue(kCaFilesKey, caFiles);
    s.setValue(kAllowedKey, allowedDestinations);
    s.setValue(kLanguageKey, language);
}

FieldErrors PersonalSettings::validate() const
{
    FieldErrors errors;
    if (!databaseUrl.trimmed().isEmpty()) {
        if (const auto parsed = DatabaseUrl::parse(databaseUrl.trimmed()); !parsed)
            errors.append({QStringLiteral("database"), parsed.error().message});
    }
    for (const QString& file : caFiles) {
        const QFileInfo info(file);
        if (!info.isFile() || !info.isReadable()) {
            errors.append({QStringLiteral("ca_files"), Tr::tr("%1 is not a readable file").arg(file)});
            break;
        }
    }
    DestinationPolicy policy;
    for (const QString& cidr : allowedDestinations) {
        if (!policy.allow(cidr)) {
            errors.append({QStringLiteral("allowed_destinations"),
                           Tr::tr("%1 is not an address or a range like 10.0.0.0/8").arg(cidr)});
            break;
        }
    }
    if (!languageCodes().contains(language))
        errors.append({QStringLiteral("language"), Tr::tr("Unknown language %1").arg(language)});
    return errors;
}

} // namespace outhook::ui
