#pragma once

namespace outhook {
class Engine;
namespace api {
class ApiServer;
}
} // namespace outhook

namespace outhook::cli {

class CliContext;

// The access log: one line per API request with method, path, status, request id and duration.
void logRequests(api::ApiServer& server);
// Storage errors and auto-disabled webhooks, as log lines.
void logEngine(Engine& engine);
// SIGHUP: re-reads --config and applies what is safe to change while running: the log format (unless
// --log-format was given) and the auto-disable period (unless --auto-disable-after was given). A file
// with problems is refused whole, with each problem logged, and the running settings stay.
void reloadConfig(CliContext& ctx, Engine& engine, bool autoDisableFromFlag);

} // namespace outhook::cli
