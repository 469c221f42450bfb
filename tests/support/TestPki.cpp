#include "TestPki.h"

#include <QFile>
#include <QtDebug>

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace outhook::test {

namespace {

template <typename T, void (*Free)(T*)> struct OpenSslDeleter
{
    void operator()(T* p) const { Free(p); }
};

using PKeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION, X509_EXTENSION_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BIGNUM, BN_free>>;

constexpr long Day = 24 * 60 * 60;

struct Issued
{
    PKeyPtr key;
    X509Ptr cert;
};

struct CertSpec
{
    const char* commonName = "";
    const char* subjectAltName = nullptr; // OpenSSL config syntax, e.g. "DNS:localhost,IP:127.0.0.1"
    bool isCa = false;
    long notBeforeOffset = -Day; // seconds relative to now
    long notAfterOffset = 30 * Day;
};

void logOpenSslErrors(const char* what)
{
    qWarning("TestPki: %s failed", what);
    unsigned long code = 0;
    while ((code = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        qWarning("  %s", buf);
    }
}

PKeyPtr makeKey()
{
    // P-256: fast to generate and universally supported by TLS stacks.
    PKeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key)
        logOpenSslErrors("EVP_PKEY_Q_keygen");
    return key;
}

bool addExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value)
{
    X509ExtPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
        logOpenSslErrors(OBJ_nid2sn(nid));
        return false;
    }
    return true;
}

bool setRandomSerial(X509* cert)
{
    BnPtr bn(BN_new());
    if (!bn || BN_rand(bn.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1)
        return false;
    ASN1_INTEGER* serial = X509_get_serialNumber(cert);
    return BN_to_ASN1_INTEGER(bn.get(), serial) != nullptr;
}

// Creates a certificate for `spec`; self-signed when issuer is null.
Issued issue(const CertSpec& spec, const Issued* issuer)
{
    Issued out;
    out.key = makeKey();
    out.cert.reset(X509_new());
    if (!out.key || !out.cert)
        return {};
    X509* cert = out.cert.get();
    X509_NAME* name = X509_get_subject_name(cert);
    const auto* cn = reinterpret_cast<const unsigned char*>(spec.commonName);
    const auto* org = reinterpret_cast<const unsigned char*>("Outhook Tests");
    if (X509_set_version(cert, X509_VERSION_3) != 1 || !setRandomSerial(cert) ||
        !X509_gmtime_adj(X509_getm_notBefore(cert), spec.notBeforeOffset) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert), spec.notAfterOffset) ||
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, org, -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
        X509_set_pubkey(cert, out.key.get()) != 1) {
        logOpenSslErrors("certificate fields");
        return {};
    }
    X509* issuerCert = issuer ? issuer->cert.get() : cert;
    EVP_PKEY* signingKey = issuer ? issuer->key.get() : out.key.get();
    if (X509_set_issuer_name(cert, X509_get_subject_name(issuerCert)) != 1)
        return {};

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuerCert, cert, nullptr, nullptr, 0);
    bool ok = addExtension(cert, &ctx, NID_subject_key_identifier, "hash") &&
              addExtension(cert, &ctx, NID_authority_key_identifier, "keyid:always");
    if (spec.isCa) {
        ok = ok && addExtension(cert, &ctx, NID_basic_constraints, "critical,CA:TRUE") &&
             addExtension(cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        ok = ok && addExtension(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
             addExtension(cert, &ctx, NID_key_usage, "critical,digitalSignature") &&
             addExtension(cert, &ctx, NID_ext_key_usage, "serverAuth");
    }
    if (ok && spec.subjectAltName)
        ok = addExtension(cert, &ctx, NID_subject_alt_name, spec.subjectAltName);
    if (!ok)
        return {};
    if (X509_sign(cert, signingKey, EVP_sha256()) <= 0) {
        logOpenSslErrors("X509_sign");
        return {};
    }
    return out;
}

bool writePem(const QString& path, const Issued& issued, bool withKey, const QString& keyPath)
{
    if (!issued.cert)
        return false;
    {
        BioPtr bio(BIO_new_file(QFile::encodeName(path).constData(), "w"));
        if (!bio || PEM_write_bio_X509(bio.get(), issued.cert.get()) != 1) {
            logOpenSslErrors("PEM_write_bio_X509");
            return false;
        }
    }
    if (!withKey)
        return true;
    BioPtr bio(BIO_new_file(QFile::encodeName(keyPath).constData(), "w"));
    // PEM_write_bio_PrivateKey writes unencrypted PKCS#8 ("BEGIN PRIVATE KEY").
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), issued.key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        logOpenSslErrors("PEM_write_bio_PrivateKey");
        return false;
    }
    return true;
}

} // namespace

TestPki::TestPki()
{
    if (!m_dir.isValid()) {
        qWarning("TestPki: cannot create a temporary directory");
        return;
    }
    const char* localhostSan = "DNS:localhost,IP:127.0.0.1,IP:::1";

    const Issued ca = issue({"Outhook Test CA", nullptr, true, -Day, 365 * Day}, nullptr);
    if (!ca.cert)
        return;
    const Issued server = issue({"localhost", localhostSan, false, -Day, 30 * Day}, &ca);
    const Issued wrongHost = issue({"wrong.example", "DNS:wrong.example", false, -Day, 30 * Day}, &ca);
    const Issued expired = issue({"localhost", localhostSan, false, -10 * Day, -Day}, &ca);
    const Issued otherCa = issue({"Outhook Untrusted CA", nullptr, true, -Day, 365 * Day}, nullptr);
    if (!otherCa.cert)
        return;
    const Issued unknownCa = issue({"localhost", localhostSan, false, -Day, 30 * Day}, &otherCa);

    m_valid = writePem(caFile(), ca, true, m_dir.filePath(QStringLiteral("ca.key"))) &&
              writePem(m_dir.filePath(QStringLiteral("untrusted-ca.pem")), otherCa, false, QString()) &&
              writePem(serverCertFile(), server, true, serverKeyFile()) &&
              writePem(wrongHostCertFile(), wrongHost, true, wrongHostKeyFile()) &&
              writePem(expiredCertFile(), expired, true, expiredKeyFile()) &&
              writePem(unknownCaCertFile(), unknownCa, true, unknownCaKeyFile());
}

QString TestPki::caFile() const
{
    return m_dir.filePath(QStringLiteral("ca.pem"));
}

QString TestPki::serverCertFile() const
{
    return m_dir.filePath(QStringLiteral("server.pem"));
}

QString TestPki::serverKeyFile() const
{
    return m_dir.filePath(QStringLiteral("server.key"));
}

QString TestPki::wrongHostCertFile() const
{
    return m_dir.filePath(QStringLiteral("wronghost.pem"));
}

QString TestPki::wrongHostKeyFile() const
{
    return m_dir.filePath(QStringLiteral("wronghost.key"));
}

QString TestPki::expiredCertFile() const
{
    return m_dir.filePath(QStringLiteral("expired.pem"));
}

QString TestPki::expiredKeyFile() const
{
    return m_dir.filePath(QStringLiteral("expired.key"));
}

QString TestPki::unknownCaCertFile() const
{
    return m_dir.filePath(QStringLiteral("unknownca.pem"));
}

QString TestPki::unknownCaKeyFile() const
{
    return m_dir.filePath(QStringLiteral("unknownca.key"));
}

} // namespace outhook::test
