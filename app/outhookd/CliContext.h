#pragma once

#include "ServiceConfig.h"
#include "delivery/Dispatcher.h"
#include "storage/Database.h"
#include "storage/DeliveryLog.h"
#include "storage/EventCatalog.h"
#include "storage/WebhookStore.h"
#include "util/Clock.h"

#include <QCommandLineParser>
#include <QJsonValue>
#include <QTextStream>
#include <memory>

namespace outhook::cli {

// Exit codes, documented in README.md and relied upon by scripts.
enum Exit : int
{
    Ok = 0,
    Failed = 1, // e.g. a test send that did not get a 2xx
    Usage = 2,
    Validation = 3,
    NotFound = 4,
    Storage = 5,
};

// What every command gets: parsed global options, streams, and the stores once the database is open.
class CliContext
{
public:
    CliContext(QTextStream& out, QTextStream& err)
        : out(out)
        , err(err)
    {}

    QTextStream& out;
    QTextStream& err;
    QString dbFlag;
    bool json = false;
    QStringList caFiles;                            // --ca-file, repeatable
    QStringList allowedDestinations;                // --allow-destination CIDR, repeatable
    QString commandName;                            // "webhooks add", for messages
    QString configPath;                             // --config FILE
    QString logFormatFlag;                          // --log-format text|json
    QString masterKeyFile;                          // --master-key-file PATH
    ServiceConfig config;                           // what configPath holds, once loaded
    std::optional<Database::Durability> durability; // --durability, else the file's, else Normal

    SystemClock clock;
    std::shared_ptr<Database> db;
    std::unique_ptr<EventCatalog> catalog;
    std::unique_ptr<WebhookStore> webhooks;

    // Checks and loads --config (once), then applies what flags left open: the database URL, CA files,
    // allowed destinations, durability and the log format. Prints every problem and returns false.
    bool loadConfig();

    // Opens (and migrates) the database once. Prints the error and returns false on failure.
    bool openDatabase();

    // The libcurl transport configured from --ca-file and --allow-destination. Validates the flags once:
    // returns nullptr (after printing why) when one is unusable.
    TransportFactory transportFactory();
    Dispatcher::Options dispatcherOptions() const { return Dispatcher::Options(); }

    // Prints an error the way the exit code promises and returns that code.
    int fail(const Error& e);
    int usage(const QString& message);
    // For a command group called without a known action: `--help`/`-h` lists its actions (exit 0);
    // anything else is a usage error naming the actions.
    int unknownAction(const QString& command, const QString& action, const QStringList& actions);
    void printJson(const QJsonValue& v);
};

// Builds the parser for one sub-command. Global options (--db, --json) are accepted there too.
class SubParser
{
public:
    SubParser(CliContext& ctx, const QString& name, const QString& description);
    void addOption(const QCommandLineOption& o) { m_parser.addOption(o); }
    void addPositional(const QString& name, const QString& description, const QString& syntax = {})
    {
        m_parser.addPositionalArgument(name, description, syntax);
    }
    // Returns -1 when the command should run, or the exit code to return (help shown, or usage error).
    int parse(const QStringList& args, int minPositional, int maxPositional);
    QCommandLineParser& parser() { return m_parser; }
    QStringList positional() const { return m_parser.positionalArguments(); }

private:
    CliContext& m_ctx;
    QString m_name;
    QCommandLineParser m_parser;
    QCommandLineOption m_db;
    QCommandLineOption m_json;
    QCommandLineOption m_caFile;
    QCommandLineOption m_allow;
    QCommandLineOption m_config;
    QCommandLineOption m_logFormat;
    QCommandLineOption m_masterKeyFile;
    QCommandLineOption m_help;
};

int runWebhooks(CliContext& ctx, const QStringList& args);
int runEvents(CliContext& ctx, const QStringList& args);
int runEmit(CliContext& ctx, const QStringList& args);
int runDeliveries(CliContext& ctx, const QStringList& args);
int runDeliveriesExport(CliContext& ctx, const QStringList& args); // ExportCommand.cpp
int runDispatch(CliContext& ctx, const QStringList& args, bool serve);
int runTest(CliContext& ctx, const QStringList& args);
int runApiKeys(CliContext& ctx, const QStringList& args);
int runDb(CliContext& ctx, const QStringList& args);
int runConfig(CliContext& ctx, const QStringList& args);

// Integer id argument (> 0). Returns false when the text is not one.
bool parseId(const QString& text, qint64* id);
// The --webhook, --status and --event-type filters that `deliveries list` and `deliveries export` share.
void readDeliveryFilter(const QCommandLineParser& a, const QCommandLineOption& webhook,
                        const QCommandLineOption& status, const QCommandLineOption& type, DeliveryFilter* f,
                        FieldErrors* errors);

} // namespace outhook::cli
