#pragma once

#include <QString>
#include <QTemporaryDir>

namespace outhook::test {

// A throwaway PKI made at test time with OpenSSL: a trusted test CA, a server certificate for
// localhost/127.0.0.1/::1 signed by it, plus the bad ones the fault tests need. Files are PEM in a
// temporary directory that lives as long as this object.
class TestPki
{
public:
    TestPki();
    bool isValid() const { return m_valid; }

    QString caFile() const;            // the trusted test CA certificate (pass to --ca-file)
    QString serverCertFile() const;    // CN/SAN localhost, 127.0.0.1, ::1; signed by the CA
    QString serverKeyFile() const;
    QString wrongHostCertFile() const; // SAN wrong.example only; signed by the CA
    QString wrongHostKeyFile() const;
    QString expiredCertFile() const;   // SAN localhost, 127.0.0.1; expired yesterday; signed by the CA
    QString expiredKeyFile() const;
    QString unknownCaCertFile() const; // SAN localhost, 127.0.0.1; signed by a CA nobody trusts
    QString unknownCaKeyFile() const;
    QString dir() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    bool m_valid = false;
};

} // namespace outhook::test
