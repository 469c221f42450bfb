#pragma once

#include "delivery/Engine.h"
#include "storage/Database.h"
#include "storage/StorageWorker.h"
#include "util/Clock.h"

#include <functional>
#include <memory>

namespace outhook::ui {

// What the windows need, handed in by main(): no singletons reached from models or widgets.
struct AppContext
{
    std::shared_ptr<Database> db;
    const Clock* clock = nullptr;
    StorageWorker* storage = nullptr;
    // Makes an in-process engine; empty in viewer mode (--no-engine), when another process sends.
    std::function<std::unique_ptr<Engine>()> makeEngine;
    QString databaseName;
    // How often the window asks the database what changed. On PostgreSQL, NOTIFY makes the window ask at
    // once; the poll is the SQLite path and a safety net.
    int pollIntervalMs = 1000;
};

} // namespace outhook::ui
