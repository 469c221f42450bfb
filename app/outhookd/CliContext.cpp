#include "CliContext.h"

#include "Log.h"
#include "delivery/CurlTransport.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace outhook::cli {

bool CliContext::loadConfig()
{
    static bool loaded = false;
    if (!loaded && !configPath.isEmpty()) {
        const QList<ConfigProblem> problems = checkConfigFile(configPath);
        for (const ConfigProblem& problem : problems)
            err << formatConfigProblem(configPath, problem) << Qt::endl;
        if (!problems.isEmpty())
            return false;
        config = loadConfigFile(configPath);
    }
    loaded = true;
    // Lists from flags replace the file's lists: an operator debugging one range should not inherit the rest.
    if (caFiles.isEmpty() && config.caFiles)
        caFiles = *config.caFiles;
    if (allowedDestinations.isEmpty() && config.allowedDestinations)
        allowedDestinations = *config.allowedDestinations;
    if (!durability)
        durability = config.durability;
    const QString formatText = !logFormatFlag.isEmpty() ? logFormatFlag : config.logFormat;
    if (!formatText.isEmpty()) {
        const auto format = log::parseFormat(formatText);
        if (!format) {
            err << "outhookd: --log-format must be text or json" << Qt::endl;
            return false;
        }
        log::setFormat(*format);
    }
    return true;
}

bool CliContext::openDatabase()
{
    if (db)
        return true;
    // --db wins, then the config file, then $OUTHOOK_DB, then the default file.
    const QString chosen = !dbFlag.isEmpty() ? dbFlag : config.databaseUrl;
    const auto url = DatabaseUrl::parse(DatabaseUrl::resolve(chosen));
    if (!url) {
        err << "outhookd: " << url.error().message << Qt::endl;
        return false;
    }
    Database::Options options;
    options.durability = durability.value_or(Database::Durability::Normal);
    options.masterKeyFile = masterKeyFile;
    auto opened = Database::open(*url, options);
    if (!opened) {
        err << "outhookd: " << opened.error().message << Qt::endl;
        return false;
    }
    db = *opened;
    catalog = std::make_unique<EventCatalog>(db, clock);
    webhooks = std::make_unique<WebhookStore>(db, *catalog, clock);
    return true;
}

bool parseId(const QString& text, qint64* id)
{
    bool ok = false;
    *id = text.toLongLong(&ok);
    return ok && *id > 0;
}

void readDeliveryFilter(const QCommandLineParser& a, const QCommandLineOption& webhook,
                        const QCommandLineOption& status, const QCommandLineOption& type, DeliveryFilter* f,
                        FieldErrors* errors)
{
    if (a.isSet(webhook)) {
        qint64 id = 0;
        if (!parseId(a.value(webhook), &id))
            errors->append({QStringLiteral("webhook"), QStringLiteral("Webhook must be a numeric id")});
        f->webhookId = id;
    }
    if (a.isSet(status)) {
        f->status = parseDeliveryStatus(a.value(status));
        if (!f->status)
            errors->append(
                {QStringLiteral("status"), QStringLiteral("Status must be pending, retrying, succeeded or failed")});
    }
    f->eventType = a.value(type);
}

TransportFactory CliContext::transportFactory()
{
    CurlTransport::Options options;
    for (const QString& file : std::as_const(caFiles)) {
        if (!QFileInfo(file).isReadable()) {
            err << "outhookd: --ca-file " << file << ": not a readable file" << Qt::endl;
            return {};
        }
        options.caFiles << file;
    }
    for (const QString& cidr : std::as_const(allowedDestinations)) {
        if (!options.policy.allow(cidr)) {
            err << "outhookd: --allow-destination " << cidr << ": not an address or CIDR range (e.g. 127.0.0.0/8)"
                << Qt::endl;
            return {};
        }
    }
    // Test seam for DNS: OUTHOOK_RESOLVE="host:port:addr,..." pins names the way curl --resolve does.
    for (const QString& entry : qEnvironmentVariable("OUTHOOK_RESOLVE").split(QLatin1Char(','), Qt::SkipEmptyParts))
        options.resolveOverrides << entry.trimmed();
    return [options] { return std::unique_ptr<Transport>(new CurlTransport(options)); };
}

int CliContext::fail(const Error& e)
{
    switch (e.kind) {
    case Error::Kind::Validation:
        if (json) {
            QJsonObject fields;
            for (const FieldError& f : e.fields)
                fields.insert(f.field, f.message);
            err << QJsonDocument(QJsonObject{{QStringLiteral("error"),
                                              QJsonObject{{QStringLiteral("code"), QStringLiteral("validation_failed")},
                                                          {QStringLiteral("message"), e.message},
                                                          {QStringLiteral("fields"), fields}}}})
                       .toJson(QJsonDocument::Compact)
                << Qt::endl;
        }
        for (const FieldError& f : e.fields)
            err << f.field << ": " << f.message << Qt::endl;
        if (e.fields.isEmpty())
            err << e.message << Qt::endl;
        return Validation;
    case Error::Kind::Conflict:
        err << "outhookd: " << e.message << Qt::endl;
        return Validation;
    case Error::Kind::NotFound:
        err << "outhookd: " << e.message << Qt::endl;
        return NotFound;
    case Error::Kind::Usage:
        return usage(e.message);
    case Error::Kind::Network:
        err << "outhookd: " << e.message << Qt::endl;
        return Failed;
    case Error::Kind::Storage:
        break;
    }
    err << "outhookd: " << e.message << Qt::endl;
    return Storage;
}

int CliContext::usage(const QString& message)
{
    err << "outhookd " << commandName << (commandName.isEmpty() ? "" : ": ") << message << Qt::endl;
    err << "Run 'outhookd " << (commandName.isEmpty() ? QString() : commandName + QLatin1Char(' '))
        << "--help' for usage." << Qt::endl;
    return Usage;
}

int CliContext::unknownAction(const QString& command, const QString& action, const QStringList& actions)
{
    if (action == QLatin1String("--help") || action == QLatin1String("-h") || action == QLatin1String("help")) {
        out << "Usage: outhookd " << command << " <action> [options]\n"
            << "Actions: " << actions.join(QStringLiteral(", ")) << "\n"
            << "Run 'outhookd " << command << " <action> --help' for an action's options." << Qt::endl;
        return Ok;
    }
    commandName = command;
    err << "outhookd " << command << ": "
        << (action.isEmpty() ? QStringLiteral("missing action (%1)").arg(actions.join(QStringLiteral(", ")))
                             : QStringLiteral("unknown action \"%1\"").arg(action))
        << Qt::endl;
    err << "Actions: " << actions.join(QStringLiteral(", ")) << ". Run 'outhookd " << command
        << " <action> --help' for an action's options." << Qt::endl;
    return Usage;
}

void CliContext::printJson(const QJsonValue& v)
{
    const QJsonDocument doc = v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject());
    out << doc.toJson(QJsonDocument::Indented);
    out.flush();
}

SubParser::SubParser(CliContext& ctx, const QString& name, const QString& description)
    : m_ctx(ctx)
    , m_name(name)
    , m_db(QStringLiteral("db"), QStringLiteral("Database URL or SQLite path."), QStringLiteral("url"))
    , m_json(QStringLiteral("json"), QStringLiteral("Print one JSON document on stdout."))
    , m_caFile(QStringLiteral("ca-file"),
               QStringLiteral("Extra trusted CA certificates (PEM), on top of the system ones."), QStringLiteral("pem"))
    , m_allow(QStringLiteral("allow-destination"),
              QStringLiteral("Allow sending to a private/loopback range, e.g. 127.0.0.0/8 (repeatable)."),
              QStringLiteral("cidr"))
    , m_config(QStringLiteral("config"), QStringLiteral("Read settings from this INI file (flags win)."),
               QStringLiteral("file"))
    , m_logFormat(QStringLiteral("log-format"), QStringLiteral("Log lines as text (default) or json."),
                  QStringLiteral("format"))
    , m_masterKeyFile(QStringLiteral("master-key-file"),
                      QStringLiteral("The master key for stored secrets (default: $OUTHOOK_MASTER_KEY, else a key "
                                     "file next to the database)."),
                      QStringLiteral("path"))
    , m_help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."))
{
    ctx.commandName = name;
    m_parser.setApplicationDescription(description);
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    m_parser.addOption(m_db);
    m_parser.addOption(m_json);
    m_parser.addOption(m_caFile);
    m_parser.addOption(m_allow);
    m_parser.addOption(m_config);
    m_parser.addOption(m_logFormat);
    m_parser.addOption(m_masterKeyFile);
    m_parser.addOption(m_help);
}

int SubParser::parse(const QStringList& args, int minPositional, int maxPositional)
{
    QStringList full = args;
    full.prepend(QStringLiteral("outhookd ") + m_name);
    if (!m_parser.parse(full))
        return m_ctx.usage(m_parser.errorText());
    if (m_parser.isSet(m_help)) {
        QString help = m_parser.helpText();
        // helpText() names only the program; put the sub-command back into the usage line.
        help.replace(QStringLiteral("Usage: outhookd "),
                     QStringLiteral("Usage: outhookd ") + m_name + QLatin1Char(' '));
        m_ctx.out << help;
        return Ok;
    }
    if (m_parser.isSet(m_db))
        m_ctx.dbFlag = m_parser.value(m_db);
    if (m_parser.isSet(m_json))
        m_ctx.json = true;
    m_ctx.caFiles += m_parser.values(m_caFile);
    m_ctx.allowedDestinations += m_parser.values(m_allow);
    if (m_parser.isSet(m_config))
        m_ctx.configPath = m_parser.value(m_config);
    if (m_parser.isSet(m_logFormat))
        m_ctx.logFormatFlag = m_parser.value(m_logFormat);
    if (m_parser.isSet(m_masterKeyFile))
        m_ctx.masterKeyFile = m_parser.value(m_masterKeyFile);
    if (!m_ctx.loadConfig())
        return Validation;
    const int n = int(m_parser.positionalArguments().size());
    if (n < minPositional)
        return m_ctx.usage(QStringLiteral("missing argument"));
    if (maxPositional >= 0 && n > maxPositional)
        return m_ctx.usage(
            QStringLiteral("unexpected argument \"%1\"").arg(m_parser.positionalArguments().at(maxPositional)));
    return -1;
}

} // namespace outhook::cli
