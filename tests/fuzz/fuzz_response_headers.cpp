// Response headers as a hostile receiver might send them: the parser that keeps them and the
// Retry-After reading that schedules the next attempt from them.
#include "FuzzSupport.h"

#include "delivery/ResponseHeaders.h"
#include "delivery/RetryPolicy.h"

using namespace outhook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const ResponseHeaderParser p = parseResponseHeaderLines(fuzz::bytes(data, size));
    FUZZ_CHECK(p.headers.size() <= ResponseHeaderParser::kMaxHeaders, QString::number(p.headers.size()));
    FUZZ_CHECK(p.bytes <= ResponseHeaderParser::kMaxBytes, QString::number(p.bytes));
    for (const auto& [name, value] : p.headers) {
        FUZZ_CHECK(!name.isEmpty(), QString());
        FUZZ_CHECK(!name.contains('\n') && !value.contains('\n'), QString::fromLatin1(name));
    }
    constexpr qint64 now = 1700000000000;
    if (const auto after = RetryPolicy::retryAfterSeconds(p.headers, now))
        FUZZ_CHECK(*after >= 0, QString::number(*after));
    // The retry decision built on them: never in the past, and Retry-After waits at most an hour longer.
    HttpResponse response;
    response.statusCode = p.statusCode;
    response.headers = p.headers;
    const AttemptOutcome outcome =
        RetryPolicy([] { return 0.5; }).decide(response, RetrySchedule({60}), 1, AttemptTrigger::Scheduled, now);
    if (outcome.nextAttemptAt) {
        FUZZ_CHECK(*outcome.nextAttemptAt >= now, QString::number(*outcome.nextAttemptAt));
        FUZZ_CHECK(*outcome.nextAttemptAt <= now + (RetryPolicy::kMaxRetryAfterSeconds + 66) * 1000,
                   QString::number(*outcome.nextAttemptAt));
    }
    // What the attempt log stores must read back as the same headers.
    const RawHeaders roundTrip = headers::rawFromJson(headers::rawToJson(p.headers));
    FUZZ_CHECK(roundTrip.size() == p.headers.size(), QString());
    return 0;
}
