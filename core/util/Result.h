#pragma once

#include <QList>
#include <QString>
#include <optional>
#include <utility>

namespace outhook {

// One problem with one field of user input. `field` uses the API/CLI field names ("url", "headers[0].name").
struct FieldError
{
    QString field;
    QString message;
    bool operator==(const FieldError&) const = default;
};
using FieldErrors = QList<FieldError>;

// Why an operation failed. The kind maps onto CLI exit codes and HTTP statuses.
struct Error
{
    enum class Kind
    {
        Validation,
        NotFound,
        Conflict,
        Storage,
        Network,
        Usage
    };
    Kind kind = Kind::Storage;
    QString message;
    FieldErrors fields;

    static Error validation(FieldErrors f)
    {
        QString msg = f.isEmpty() ? QString() : f.first().field + QStringLiteral(": ") + f.first().message;
        return {Kind::Validation, msg, std::move(f)};
    }
    static Error validation(const QString& field, const QString& message)
    {
        return validation(FieldErrors{{field, message}});
    }
    static Error notFound(QString m) { return {Kind::NotFound, std::move(m), {}}; }
    static Error conflict(QString m) { return {Kind::Conflict, std::move(m), {}}; }
    static Error storage(QString m) { return {Kind::Storage, std::move(m), {}}; }
    static Error usage(QString m) { return {Kind::Usage, std::move(m), {}}; }
};

// A value or an Error. Small on purpose: C++20 has no std::expected.
template <typename T> class Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    {}
    Result(Error error)
        : m_error(std::move(error))
    {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T& value() const& { return *m_value; }
    T& value() & { return *m_value; }
    T&& value() && { return std::move(*m_value); }
    const T& operator*() const& { return *m_value; }
    const T* operator->() const { return &*m_value; }
    const Error& error() const { return m_error; }

private:
    std::optional<T> m_value;
    Error m_error;
};

// For operations that return nothing but may fail.
class Status
{
public:
    Status() = default;
    Status(Error error)
        : m_error(std::move(error))
        , m_failed(true)
    {}
    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return m_error; }

private:
    Error m_error;
    bool m_failed = false;
};

} // namespace outhook
