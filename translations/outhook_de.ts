<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>DeliveryTasks</name>
    <message>
        <source>Requeued 1 delivery</source>
        <translation>1 Zustellung erneut eingereiht</translation>
    </message>
    <message>
        <source>Requeued %1 deliveries</source>
        <translation>%1 Zustellungen erneut eingereiht</translation>
    </message>
    <message>
        <source>%1 skipped (being sent right now, or deleted)</source>
        <translation>%1 übersprungen (gerade im Versand oder gelöscht)</translation>
    </message>
    <message>
        <source>Stopped by an error: %1</source>
        <translation>Durch einen Fehler abgebrochen: %1</translation>
    </message>
    <message>
        <source>Cancelled: the other %1 were left as they were.</source>
        <translation>Abgebrochen: Die übrigen %1 blieben unverändert.</translation>
    </message>
    <message>
        <source>Exported %1 of %2 deliveries</source>
        <translation>%1 von %2 Zustellungen exportiert</translation>
    </message>
    <message>
        <source>Requeued %1 of %2 deliveries</source>
        <translation>%1 von %2 Zustellungen erneut eingereiht</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Export failed; no file was written: %1</source>
        <translation>Export fehlgeschlagen; es wurde keine Datei geschrieben: %1</translation>
    </message>
    <message>
        <source>Export cancelled; no file was written.</source>
        <translation>Export abgebrochen; es wurde keine Datei geschrieben.</translation>
    </message>
    <message>
        <source>Exported 1 delivery to %1</source>
        <translation>1 Zustellung nach %1 exportiert</translation>
    </message>
    <message>
        <source>Exported %1 deliveries to %2</source>
        <translation>%1 Zustellungen nach %2 exportiert</translation>
    </message>
    <message>
        <source>(%1 no longer existed)</source>
        <translation>(nicht mehr vorhanden: %1)</translation>
    </message>
</context>
<context>
    <name>HealthCharts</name>
    <message>
        <source>Hour (local time)</source>
        <translation>Stunde (Ortszeit)</translation>
    </message>
    <message>
        <source>Day (local time)</source>
        <translation>Tag (Ortszeit)</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <source>Deliveries per hour</source>
        <translation>Zustellungen pro Stunde</translation>
    </message>
    <message>
        <source>Deliveries per 6 hours</source>
        <translation>Zustellungen pro 6 Stunden</translation>
    </message>
    <message>
        <source>Success rate</source>
        <translation>Erfolgsquote</translation>
    </message>
    <message>
        <source>Deliveries</source>
        <translation>Zustellungen</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <source>p50 (median)</source>
        <translation>p50 (Median)</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>ms (log scale)</source>
        <translation>ms (logarithmische Skala)</translation>
    </message>
    <message>
        <source>Most frequent errors</source>
        <translation>Häufigste Fehler</translation>
    </message>
    <message>
        <source>Failed attempts</source>
        <translation>Fehlgeschlagene Versuche</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Outhook: manage and debug outbound webhooks.</source>
        <translation>Outhook: ausgehende Webhooks verwalten und debuggen.</translation>
    </message>
    <message>
        <source>Database URL or SQLite path.</source>
        <translation>Datenbank-URL oder SQLite-Pfad.</translation>
    </message>
    <message>
        <source>Do not send deliveries from this app (outhookd serve runs elsewhere).</source>
        <translation>Keine Zustellungen aus dieser App senden (outhookd serve läuft anderswo).</translation>
    </message>
    <message>
        <source>Extra trusted CA certificates (PEM).</source>
        <translation>Zusätzliche vertrauenswürdige CA-Zertifikate (PEM).</translation>
    </message>
    <message>
        <source>Allow a private or loopback range, e.g. 127.0.0.0/8.</source>
        <translation>Einen privaten oder Loopback-Bereich erlauben, z. B. 127.0.0.0/8.</translation>
    </message>
    <message>
        <source>Outhook</source>
        <translation>Outhook</translation>
    </message>
    <message>
        <source>--ca-file %1: not a readable file</source>
        <translation>--ca-file %1: keine lesbare Datei</translation>
    </message>
    <message>
        <source>--allow-destination %1: not an address or CIDR</source>
        <translation>--allow-destination %1: keine Adresse und kein CIDR-Bereich</translation>
    </message>
    <message>
        <source>Cannot open the database</source>
        <translation>Die Datenbank kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>CA file %1 is not readable</source>
        <translation>CA-Datei %1 ist nicht lesbar</translation>
    </message>
    <message>
        <source>%1 is not an address or CIDR</source>
        <translation>%1 ist weder eine Adresse noch ein CIDR-Bereich</translation>
    </message>
    <message>
        <source>Some network settings were skipped (Settings → Network):
%1</source>
        <translation>Einige Netzwerkeinstellungen wurden übergangen (Einstellungen → Netzwerk):
%1</translation>
    </message>
</context>
<context>
    <name>PersonalSettings</name>
    <message>
        <source>%1 is not a readable file</source>
        <translation>%1 ist keine lesbare Datei</translation>
    </message>
    <message>
        <source>%1 is not an address or a range like 10.0.0.0/8</source>
        <translation>%1 ist weder eine Adresse noch ein Bereich wie 10.0.0.0/8</translation>
    </message>
    <message>
        <source>Unknown language %1</source>
        <translation>Unbekannte Sprache %1</translation>
    </message>
</context>
<context>
    <name>WebhookValidator</name>
    <message>
        <source>Name is required</source>
        <translation>Name ist erforderlich</translation>
    </message>
    <message>
        <source>Name must be at most %1 characters</source>
        <translation>Der Name darf höchstens %1 Zeichen lang sein</translation>
    </message>
    <message>
        <source>Name must not contain control characters</source>
        <translation>Der Name darf keine Steuerzeichen enthalten</translation>
    </message>
    <message>
        <source>URL is required</source>
        <translation>URL ist erforderlich</translation>
    </message>
    <message>
        <source>URL must be at most %1 characters</source>
        <translation>Die URL darf höchstens %1 Zeichen lang sein</translation>
    </message>
    <message>
        <source>URL must not contain spaces or control characters</source>
        <translation>Die URL darf keine Leer- oder Steuerzeichen enthalten</translation>
    </message>
    <message>
        <source>URL must be absolute, like https://example.com/webhooks</source>
        <translation>Die URL muss absolut sein, etwa https://example.com/webhooks</translation>
    </message>
    <message>
        <source>HTTPS is required</source>
        <translation>HTTPS ist erforderlich</translation>
    </message>
    <message>
        <source>URL is not valid: %1</source>
        <translation>Die URL ist ungültig: %1</translation>
    </message>
    <message>
        <source>URL must include a host</source>
        <translation>Die URL muss einen Host enthalten</translation>
    </message>
    <message>
        <source>URL must not contain a user name or password; use Basic auth instead</source>
        <translation>Die URL darf keinen Benutzernamen und kein Passwort enthalten; verwenden Sie stattdessen Basic-Authentifizierung</translation>
    </message>
    <message>
        <source>URL must not contain a #fragment; it is never sent</source>
        <translation>Die URL darf kein #Fragment enthalten; es wird nie gesendet</translation>
    </message>
    <message>
        <source>Host name mixes letters from different scripts, which can imitate another domain</source>
        <translation>Der Hostname mischt Buchstaben verschiedener Schriften und kann so eine andere Domain vortäuschen</translation>
    </message>
    <message>
        <source>Host name is not valid</source>
        <translation>Der Hostname ist ungültig</translation>
    </message>
    <message>
        <source>Header name is required</source>
        <translation>Header-Name ist erforderlich</translation>
    </message>
    <message>
        <source>Header name must be at most %1 characters</source>
        <translation>Der Header-Name darf höchstens %1 Zeichen lang sein</translation>
    </message>
    <message>
        <source>Header name may contain only letters, digits and !#$%&amp;&apos;*+-.^_`|~</source>
        <translation>Der Header-Name darf nur Buchstaben, Ziffern und !#$%&amp;&apos;*+-.^_`|~ enthalten</translation>
    </message>
    <message>
        <source>Header &quot;authorization&quot; is set by the chosen auth; choose auth None to set it yourself</source>
        <translation>Der Header „authorization“ wird von der gewählten Authentifizierung gesetzt; wählen Sie „Keine“, um ihn selbst zu setzen</translation>
    </message>
    <message>
        <source>Header &quot;%1&quot; is set by Outhook and cannot be changed</source>
        <translation>Der Header „%1“ wird von Outhook gesetzt und kann nicht geändert werden</translation>
    </message>
    <message>
        <source>Header value must not contain CR, LF or NUL characters</source>
        <translation>Der Header-Wert darf keine CR-, LF- oder NUL-Zeichen enthalten</translation>
    </message>
    <message>
        <source>Header value must not contain control characters</source>
        <translation>Der Header-Wert darf keine Steuerzeichen enthalten</translation>
    </message>
    <message>
        <source>Header value must be at most %1 characters</source>
        <translation>Der Header-Wert darf höchstens %1 Zeichen lang sein</translation>
    </message>
    <message>
        <source>Timeout must be between 1 and %1 seconds</source>
        <translation>Das Zeitlimit muss zwischen 1 und %1 Sekunden liegen</translation>
    </message>
    <message>
        <source>At most %1 retries are allowed</source>
        <translation>Höchstens %1 Wiederholungen sind erlaubt</translation>
    </message>
    <message>
        <source>Each retry delay must be between 1 second and 7 days</source>
        <translation>Jede Wartezeit muss zwischen 1 Sekunde und 7 Tagen liegen</translation>
    </message>
    <message>
        <source>User name is required for Basic auth</source>
        <translation>Für Basic-Authentifizierung ist ein Benutzername erforderlich</translation>
    </message>
    <message>
        <source>User name must not contain &quot;:&quot; or control characters</source>
        <translation>Der Benutzername darf weder „:“ noch Steuerzeichen enthalten</translation>
    </message>
    <message>
        <source>User name must be at most 256 characters</source>
        <translation>Der Benutzername darf höchstens 256 Zeichen lang sein</translation>
    </message>
    <message>
        <source>Password is required for Basic auth</source>
        <translation>Für Basic-Authentifizierung ist ein Passwort erforderlich</translation>
    </message>
    <message>
        <source>Password must not contain control characters</source>
        <translation>Das Passwort darf keine Steuerzeichen enthalten</translation>
    </message>
    <message>
        <source>Password must be at most 1024 characters</source>
        <translation>Das Passwort darf höchstens 1024 Zeichen lang sein</translation>
    </message>
    <message>
        <source>Token is required for Bearer auth</source>
        <translation>Für Bearer-Authentifizierung ist ein Token erforderlich</translation>
    </message>
    <message>
        <source>Token must not contain spaces or control characters</source>
        <translation>Das Token darf keine Leer- oder Steuerzeichen enthalten</translation>
    </message>
    <message>
        <source>Token must be at most 4096 characters</source>
        <translation>Das Token darf höchstens 4096 Zeichen lang sein</translation>
    </message>
    <message>
        <source>Choose at least one event type</source>
        <translation>Wählen Sie mindestens einen Ereignistyp</translation>
    </message>
    <message>
        <source>Unknown event type &quot;%1&quot;</source>
        <translation>Unbekannter Ereignistyp „%1“</translation>
    </message>
    <message>
        <source>At most %1 custom headers are allowed</source>
        <translation>Höchstens %1 eigene Header sind erlaubt</translation>
    </message>
    <message>
        <source>Header &quot;%1&quot; is set twice</source>
        <translation>Der Header „%1“ ist doppelt gesetzt</translation>
    </message>
    <message>
        <source>Header &quot;%1&quot; controls how the request is framed or relayed and cannot be set</source>
        <translation>Der Header „%1“ steuert, wie die Anfrage übertragen oder weitergeleitet wird, und kann nicht gesetzt werden</translation>
    </message>
</context>
<context>
    <name>outhook::ui::AboutDialog</name>
    <message>
        <source>Outhook %1</source>
        <translation>Outhook %1</translation>
    </message>
    <message>
        <source>About Outhook</source>
        <translation>Über Outhook</translation>
    </message>
    <message>
        <source>Outhook icon</source>
        <translation>Outhook-Symbol</translation>
    </message>
    <message>
        <source>Manage and debug outbound webhooks: signed deliveries, retries and a searchable history of every attempt.</source>
        <translation>Ausgehende Webhooks verwalten und debuggen: signierte Zustellungen, Wiederholungen und ein durchsuchbarer Verlauf jedes Versuchs.</translation>
    </message>
    <message>
        <source>Database: %1&lt;br&gt;Qt %2 · %3 · TLS: %4</source>
        <translation>Datenbank: %1&lt;br&gt;Qt %2 · %3 · TLS: %4</translation>
    </message>
    <message>
        <source>Licences</source>
        <translation>Lizenzen</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Outhook&lt;/h3&gt;&lt;p&gt;Copyright © 2026 the Outhook authors. All rights reserved.&lt;/p&gt;&lt;h3&gt;Qt %1&lt;/h3&gt;&lt;p&gt;Outhook uses the Qt toolkit under the GNU Lesser General Public License version 3 (LGPLv3), linked dynamically, so you may replace the Qt libraries with your own build. The licence text and Qt&apos;s source code are available from &lt;a href=&quot;https://www.qt.io/licensing/&quot;&gt;qt.io/licensing&lt;/a&gt; and from your distribution&apos;s Qt source packages.&lt;/p&gt;&lt;h3&gt;OpenSSL&lt;/h3&gt;&lt;p&gt;Signing, secret encryption and TLS use OpenSSL, under the Apache License 2.0 (&lt;a href=&quot;https://www.apache.org/licenses/LICENSE-2.0&quot;&gt;apache.org/licenses/LICENSE-2.0&lt;/a&gt;).&lt;/p&gt;&lt;h3&gt;libcurl&lt;/h3&gt;&lt;p&gt;Deliveries are sent with libcurl, under the curl licence (MIT/X derivative): Copyright © Daniel Stenberg and many contributors. Permission to use, copy, modify and distribute this software for any purpose with or without fee is hereby granted, provided that the copyright notice and this permission notice appear in all copies (&lt;a href=&quot;https://curl.se/docs/copyright.html&quot;&gt;curl.se/docs/copyright.html&lt;/a&gt;).&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Outhook&lt;/h3&gt;&lt;p&gt;Copyright © 2026 die Outhook-Autoren. Alle Rechte vorbehalten.&lt;/p&gt;&lt;h3&gt;Qt %1&lt;/h3&gt;&lt;p&gt;Outhook verwendet das Qt-Toolkit unter der GNU Lesser General Public License Version 3 (LGPLv3), dynamisch gelinkt, sodass Sie die Qt-Bibliotheken durch einen eigenen Build ersetzen können. Der Lizenztext und der Quellcode von Qt sind unter &lt;a href=&quot;https://www.qt.io/licensing/&quot;&gt;qt.io/licensing&lt;/a&gt; und in den Qt-Quellpaketen Ihrer Distribution erhältlich.&lt;/p&gt;&lt;h3&gt;OpenSSL&lt;/h3&gt;&lt;p&gt;Signierung, Verschlüsselung von Geheimnissen und TLS verwenden OpenSSL unter der Apache License 2.0 (&lt;a href=&quot;https://www.apache.org/licenses/LICENSE-2.0&quot;&gt;apache.org/licenses/LICENSE-2.0&lt;/a&gt;).&lt;/p&gt;&lt;h3&gt;libcurl&lt;/h3&gt;&lt;p&gt;Zustellungen werden mit libcurl gesendet, unter der curl-Lizenz (MIT/X-Derivat): „Copyright © Daniel Stenberg and many contributors. Permission to use, copy, modify and distribute this software for any purpose with or without fee is hereby granted, provided that the copyright notice and this permission notice appear in all copies“ (&lt;a href=&quot;https://curl.se/docs/copyright.html&quot;&gt;curl.se/docs/copyright.html&lt;/a&gt;).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>About Qt</source>
        <translation>Über Qt</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>outhook::ui::AttemptDetailView</name>
    <message>
        <source>Summary</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Select a delivery or an attempt to see its details.</source>
        <translation>Wählen Sie eine Zustellung oder einen Versuch aus, um die Details zu sehen.</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Nutzdaten</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Response headers</source>
        <translation>Antwort-Header</translation>
    </message>
    <message>
        <source>Request headers</source>
        <translation>Anfrage-Header</translation>
    </message>
    <message>
        <source>Truncation note</source>
        <translation>Hinweis zur Kürzung</translation>
    </message>
    <message>
        <source>Response body</source>
        <translation>Antworttext</translation>
    </message>
    <message>
        <source>(empty body)</source>
        <translation>(leerer Inhalt)</translation>
    </message>
    <message>
        <source>Delivery %1 · %2 · %3 · webhook-id %4</source>
        <translation>Zustellung %1 · %2 · %3 · webhook-id %4</translation>
    </message>
    <message>
        <source>Attempt %1</source>
        <translation>Versuch %1</translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>remote %1</source>
        <translation>Gegenstelle %1</translation>
    </message>
    <message>
        <source>POST %1</source>
        <translation>POST %1</translation>
    </message>
    <message>
        <source>Truncated at %1 KiB (full size %2 bytes)</source>
        <translation>Gekürzt auf %1 KiB (vollständige Größe %2 Bytes)</translation>
    </message>
</context>
<context>
    <name>outhook::ui::AutoDisableNotifier</name>
    <message>
        <source>Outhook</source>
        <translation>Outhook</translation>
    </message>
    <message>
        <source>&amp;Show Outhook</source>
        <translation>Outhook &amp;anzeigen</translation>
    </message>
    <message>
        <source>&quot;%1&quot; was turned off: %2</source>
        <translation>„%1“ wurde abgeschaltet: %2</translation>
    </message>
    <message>
        <source>Webhook turned off automatically</source>
        <translation>Webhook automatisch abgeschaltet</translation>
    </message>
</context>
<context>
    <name>outhook::ui::ConnectionTester</name>
    <message>
        <source>Cannot create %1: %2 is not a writable folder</source>
        <translation>%1 kann nicht angelegt werden: %2 ist kein beschreibbarer Ordner</translation>
    </message>
    <message>
        <source>%1 does not exist yet; Outhook will create it when it starts</source>
        <translation>%1 existiert noch nicht; Outhook legt die Datei beim Start an</translation>
    </message>
    <message>
        <source>%1 is empty and not writable</source>
        <translation>%1 ist leer und nicht beschreibbar</translation>
    </message>
    <message>
        <source>%1 is empty; Outhook will set it up when it starts</source>
        <translation>%1 ist leer; Outhook richtet die Datenbank beim Start ein</translation>
    </message>
    <message>
        <source>%1 has schema version %2, newer than this Outhook supports (%3)</source>
        <translation>%1 hat die Schemaversion %2, neuer als von dieser Outhook-Version unterstützt (%3)</translation>
    </message>
    <message>
        <source>Connected to %1; it is empty and Outhook will set it up</source>
        <translation>Verbunden mit %1; die Datenbank ist leer und Outhook richtet sie ein</translation>
    </message>
    <message>
        <source>Connected to %1; its schema (version %2) will be upgraded to version %3 at the next start</source>
        <translation>Verbunden mit %1; das Schema (Version %2) wird beim nächsten Start auf Version %3 aktualisiert</translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation>Verbunden mit %1</translation>
    </message>
</context>
<context>
    <name>outhook::ui::DatabasePage</name>
    <message>
        <source>&amp;Test Connection</source>
        <translation>&amp;Verbindung testen</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>Open the database without changing it and report what was found</source>
        <translation>Die Datenbank öffnen, ohne sie zu ändern, und melden, was gefunden wurde</translation>
    </message>
    <message>
        <source>Normal (fast; a power cut may lose the last moments)</source>
        <translation>Normal (schnell; bei einem Stromausfall können die letzten Augenblicke verloren gehen)</translation>
    </message>
    <message>
        <source>Full (wait for the disk on every commit)</source>
        <translation>Vollständig (bei jedem Commit auf den Datenträger warten)</translation>
    </message>
    <message>
        <source>A file path, sqlite:///path/to/file.db or postgres://user:password@host:5432/db. Empty: the default file. Changes apply the next time Outhook starts; --db overrides this.</source>
        <translation>Ein Dateipfad, sqlite:///path/to/file.db oder postgres://user:password@host:5432/db. Leer: die Standarddatei. Änderungen gelten ab dem nächsten Start von Outhook; --db hat Vorrang.</translation>
    </message>
    <message>
        <source>SQLite only: how each commit is synced to disk (PostgreSQL decides this on the server).</source>
        <translation>Nur SQLite: wie jeder Commit auf den Datenträger geschrieben wird (bei PostgreSQL entscheidet das der Server).</translation>
    </message>
    <message>
        <source>&amp;Database:</source>
        <translation>&amp;Datenbank:</translation>
    </message>
    <message>
        <source>D&amp;urability:</source>
        <translation>Da&amp;uerhaftigkeit:</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbindung wird hergestellt…</translation>
    </message>
    <message>
        <source>✔ %1</source>
        <translation>✔ %1</translation>
    </message>
    <message>
        <source>✘ %1</source>
        <translation>✘ %1</translation>
    </message>
</context>
<context>
    <name>outhook::ui::DeliveryLogModel</name>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Wird wiederholt</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Erfolgreich</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Geplant</translation>
    </message>
    <message>
        <source>Manual</source>
        <translation>Manuell</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Test</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Date/Time</source>
        <translation>Datum/Uhrzeit</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>Webhook URL</source>
        <translation>Webhook-URL</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Next attempt at %1</source>
        <translation>Nächster Versuch um %1</translation>
    </message>
    <message>
        <source>Last attempt failed: %1</source>
        <translation>Letzter Versuch fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>ausstehend</translation>
    </message>
    <message>
        <source>Attempt %1</source>
        <translation>Versuch %1</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>keine Antwort</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
</context>
<context>
    <name>outhook::ui::EventPicker</name>
    <message>
        <source>Select all</source>
        <translation>Alle auswählen</translation>
    </message>
    <message>
        <source>Select none</source>
        <translation>Keine auswählen</translation>
    </message>
    <message>
        <source>Search event types</source>
        <translation>Ereignistypen durchsuchen</translation>
    </message>
    <message>
        <source>Event type</source>
        <translation>Ereignistyp</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Event types</source>
        <translation>Ereignistypen</translation>
    </message>
    <message>
        <source>Acts on the kind of the selected row, or on every kind when no row is selected</source>
        <translation>Wirkt auf die Kategorie der ausgewählten Zeile oder auf alle Kategorien, wenn keine Zeile ausgewählt ist</translation>
    </message>
    <message>
        <source>Select all event types of the kind</source>
        <translation>Alle Ereignistypen der Kategorie auswählen</translation>
    </message>
    <message>
        <source>Select no event types of the kind</source>
        <translation>Keine Ereignistypen der Kategorie auswählen</translation>
    </message>
    <message>
        <source>Not in catalog</source>
        <translation>Nicht im Katalog</translation>
    </message>
    <message>
        <source>This event type is not in the catalog</source>
        <translation>Dieser Ereignistyp ist nicht im Katalog</translation>
    </message>
    <message>
        <source>Kind %1</source>
        <translation>Kategorie %1</translation>
    </message>
    <message>
        <source>Select all of &quot;%1&quot;</source>
        <translation>Alle von „%1“ auswählen</translation>
    </message>
    <message>
        <source>Select none of &quot;%1&quot;</source>
        <translation>Keine von „%1“ auswählen</translation>
    </message>
</context>
<context>
    <name>outhook::ui::GeneralPage</name>
    <message>
        <source>Send deliveries from this app</source>
        <translation>Zustellungen aus dieser App senden</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <source>Uncheck when outhookd serve sends the deliveries elsewhere (viewer mode)</source>
        <translation>Deaktivieren, wenn outhookd serve die Zustellungen anderswo sendet (Nur-Ansicht)</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <source>Takes effect after a restart.</source>
        <translation>Wird nach einem Neustart wirksam.</translation>
    </message>
    <message>
        <source>Engine:</source>
        <translation>Engine:</translation>
    </message>
    <message>
        <source>Uncheck when outhookd serve runs elsewhere: this app then only shows and edits. Takes effect after a restart; --no-engine overrides it.</source>
        <translation>Deaktivieren, wenn outhookd serve anderswo läuft: Diese App zeigt dann nur an und bearbeitet. Wird nach einem Neustart wirksam; --no-engine hat Vorrang.</translation>
    </message>
</context>
<context>
    <name>outhook::ui::HeaderTableEditor</name>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Show secret values</source>
        <translation>Geheime Werte anzeigen</translation>
    </message>
    <message>
        <source>Custom headers</source>
        <translation>Eigene Header</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Geheim</translation>
    </message>
    <message>
        <source>Secret values are encrypted at rest and redacted</source>
        <translation>Geheime Werte werden verschlüsselt gespeichert und unkenntlich gemacht</translation>
    </message>
    <message>
        <source>Add header</source>
        <translation>Header hinzufügen</translation>
    </message>
    <message>
        <source>Remove selected headers</source>
        <translation>Ausgewählte Header entfernen</translation>
    </message>
    <message>
        <source>Show secret header values</source>
        <translation>Geheime Header-Werte anzeigen</translation>
    </message>
    <message>
        <source>Header name</source>
        <translation>Header-Name</translation>
    </message>
    <message>
        <source>Header value</source>
        <translation>Header-Wert</translation>
    </message>
    <message>
        <source>Row %1: %2</source>
        <translation>Zeile %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>and %n more problem(s)</source>
        <translation>
            <numerusform>und %n weiteres Problem</numerusform>
            <numerusform>und %n weitere Probleme</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>outhook::ui::HealthDashboard</name>
    <message>
        <source>All webhooks</source>
        <translation>Alle Webhooks</translation>
    </message>
    <message>
        <source>Webhook</source>
        <translation>Webhook</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Time range</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Load the numbers again (they also refresh every minute)</source>
        <translation>Die Zahlen neu laden (sie werden auch jede Minute aktualisiert)</translation>
    </message>
    <message>
        <source>Dashboard status</source>
        <translation>Dashboard-Status</translation>
    </message>
    <message>
        <source>Webhook:</source>
        <translation>Webhook:</translation>
    </message>
    <message>
        <source>Deliveries</source>
        <translation>Zustellungen</translation>
    </message>
    <message>
        <source>Success rate</source>
        <translation>Erfolgsquote</translation>
    </message>
    <message>
        <source>Latency p50</source>
        <translation>Latenz p50</translation>
    </message>
    <message>
        <source>Latency p95</source>
        <translation>Latenz p95</translation>
    </message>
    <message>
        <source>Failed attempts</source>
        <translation>Fehlgeschlagene Versuche</translation>
    </message>
    <message>
        <source>No failed attempts in this period.</source>
        <translation>Keine fehlgeschlagenen Versuche in diesem Zeitraum.</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>Updated %1</source>
        <translation>Aktualisiert: %1</translation>
    </message>
    <message>
        <source>–</source>
        <translation>–</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Attempts that failed, of any kind, in this period</source>
        <translation>Fehlgeschlagene Versuche jeder Art in diesem Zeitraum</translation>
    </message>
    <message>
        <source>Could not load</source>
        <translation>Laden fehlgeschlagen</translation>
    </message>
    <message>
        <source>Could not load the delivery health: %1</source>
        <translation>Der Zustand der Zustellungen konnte nicht geladen werden: %1</translation>
    </message>
    <message>
        <source>the last 7 days</source>
        <translation>den letzten 7 Tagen</translation>
    </message>
    <message>
        <source>the last 24 hours</source>
        <translation>den letzten 24 Stunden</translation>
    </message>
    <message>
        <source>No deliveries for %1 in %2.</source>
        <translation>Keine Zustellungen für %1 in %2.</translation>
    </message>
    <message>
        <source>No deliveries in %1.
Emit an event or send a test to see the health of your webhooks here.</source>
        <translation>Keine Zustellungen in %1.
Lösen Sie ein Ereignis aus oder senden Sie einen Test, um hier den Zustand Ihrer Webhooks zu sehen.</translation>
    </message>
    <message>
        <source>Success rate: %1%</source>
        <translation>Erfolgsquote: %1 %</translation>
    </message>
    <message>
        <source>&lt;i&gt;Click to see these deliveries in the Log History&lt;/i&gt;</source>
        <translation>&lt;i&gt;Klicken, um diese Zustellungen im Protokollverlauf anzuzeigen&lt;/i&gt;</translation>
    </message>
</context>
<context>
    <name>outhook::ui::LogFilterBar</name>
    <message>
        <source>All webhooks</source>
        <translation>Alle Webhooks</translation>
    </message>
    <message>
        <source>Webhook filter</source>
        <translation>Webhook-Filter</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>Alle Ereignisse</translation>
    </message>
    <message>
        <source>Event type filter</source>
        <translation>Ereignistyp-Filter</translation>
    </message>
    <message>
        <source>All outcomes</source>
        <translation>Alle Ergebnisse</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Erfolgreich</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Wird wiederholt</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Outcome filter</source>
        <translation>Ergebnis-Filter</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>Gesamter Zeitraum</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>Benutzerdefiniert…</translation>
    </message>
    <message>
        <source>Time range</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Deliveries created at or after this time</source>
        <translation>Zustellungen, die zu oder nach diesem Zeitpunkt erstellt wurden</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Bis</translation>
    </message>
    <message>
        <source>Deliveries created before this time</source>
        <translation>Zustellungen, die vor diesem Zeitpunkt erstellt wurden</translation>
    </message>
    <message>
        <source>Delivery id, event id or response text</source>
        <translation>ID oder Antworttext</translation>
    </message>
    <message>
        <source>Search deliveries</source>
        <translation>Zustellungen durchsuchen</translation>
    </message>
</context>
<context>
    <name>outhook::ui::LogHistoryView</name>
    <message>
        <source>&amp;Resend</source>
        <translation>&amp;Erneut senden</translation>
    </message>
    <message>
        <source>Queue the delivery again now, with the same payload</source>
        <translation>Die Zustellung jetzt erneut einreihen, mit denselben Nutzdaten</translation>
    </message>
    <message>
        <source>Copy as c&amp;URL</source>
        <translation>Als c&amp;URL kopieren</translation>
    </message>
    <message>
        <source>Copy a curl command that repeats this request (secrets stay redacted)</source>
        <translation>Einen curl-Befehl kopieren, der diese Anfrage wiederholt (Geheimnisse bleiben unkenntlich)</translation>
    </message>
    <message>
        <source>Copy &amp;Payload</source>
        <translation>&amp;Nutzdaten kopieren</translation>
    </message>
    <message>
        <source>Re&amp;load Log</source>
        <translation>Protokoll neu &amp;laden</translation>
    </message>
    <message>
        <source>&amp;Search Log</source>
        <translation>Protokoll &amp;durchsuchen</translation>
    </message>
    <message>
        <source>Deliveries</source>
        <translation>Zustellungen</translation>
    </message>
    <message>
        <source>Log status</source>
        <translation>Protokollstatus</translation>
    </message>
    <message>
        <source>Could not read the delivery log: %1</source>
        <translation>Das Zustellungsprotokoll konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Could not resend delivery %1: %2</source>
        <translation>Zustellung %1 konnte nicht erneut gesendet werden: %2</translation>
    </message>
    <message>
        <source>Delivery %1 queued for resend</source>
        <translation>Zustellung %1 zum erneuten Senden eingereiht</translation>
    </message>
    <message>
        <source>Delivery %1 has no attempts yet: nothing to copy</source>
        <translation>Zustellung %1 hat noch keine Versuche: nichts zu kopieren</translation>
    </message>
    <message>
        <source>Copied a cURL command; redacted secrets must be filled in before running it</source>
        <translation>cURL-Befehl kopiert; unkenntlich gemachte Geheimnisse müssen vor dem Ausführen eingesetzt werden</translation>
    </message>
    <message>
        <source>Copied the payload of delivery %1</source>
        <translation>Nutzdaten von Zustellung %1 kopiert</translation>
    </message>
    <message>
        <source>Could not read the log: %1</source>
        <translation>Das Protokoll konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>Deliveries shown: %1 · loading more…</source>
        <translation>Angezeigte Zustellungen: %1 · weitere werden geladen…</translation>
    </message>
    <message>
        <source>No deliveries match these filters.</source>
        <translation>Keine Zustellungen entsprechen diesen Filtern.</translation>
    </message>
    <message>
        <source>Deliveries shown: %1 · scroll down for older ones</source>
        <translation>Angezeigte Zustellungen: %1 · für ältere nach unten scrollen</translation>
    </message>
    <message>
        <source>Deliveries shown: %1</source>
        <translation>Angezeigte Zustellungen: %1</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>E&amp;xportieren…</translation>
    </message>
    <message>
        <source>Save the selected deliveries, or all that match the filters, as HAR, CSV or JSON Lines (secrets redacted)</source>
        <translation>Die ausgewählten Zustellungen oder alle, die den Filtern entsprechen, als HAR, CSV oder JSON Lines speichern (Geheimnisse unkenntlich gemacht)</translation>
    </message>
    <message>
        <source>Resend %1 Deliveries</source>
        <translation>%1 Zustellungen erneut senden</translation>
    </message>
    <message>
        <source>HAR archive (*.har)</source>
        <translation>HAR-Archiv (*.har)</translation>
    </message>
    <message>
        <source>CSV spreadsheet (*.csv)</source>
        <translation>CSV-Tabelle (*.csv)</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl)</source>
        <translation>JSON Lines (*.jsonl)</translation>
    </message>
    <message>
        <source>Export Deliveries Matching the Filters</source>
        <translation>Zustellungen exportieren, die den Filtern entsprechen</translation>
    </message>
    <message>
        <source>Export Delivery %1</source>
        <translation>Zustellung %1 exportieren</translation>
    </message>
    <message>
        <source>Export %1 Selected Deliveries</source>
        <translation>%1 ausgewählte Zustellungen exportieren</translation>
    </message>
    <message>
        <source>Export Deliveries</source>
        <translation>Zustellungen exportieren</translation>
    </message>
    <message>
        <source>&amp;Resend %1 Selected</source>
        <translation>%1 ausgewählte &amp;erneut senden</translation>
    </message>
</context>
<context>
    <name>outhook::ui::MainWindow</name>
    <message>
        <source>Outhook — %1</source>
        <translation>Outhook — %1</translation>
    </message>
    <message>
        <source>Engine state</source>
        <translation>Engine-Status</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Warteschlange</translation>
    </message>
    <message>
        <source>Your database role (support) may read, resend and test, but not change webhooks</source>
        <translation>Ihre Datenbankrolle (Support) darf lesen, erneut senden und testen, aber keine Webhooks ändern</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Webhook</source>
        <translation>&amp;Webhook</translation>
    </message>
    <message>
        <source>&amp;Log</source>
        <translation>&amp;Protokoll</translation>
    </message>
    <message>
        <source>&amp;Engine</source>
        <translation>&amp;Engine</translation>
    </message>
    <message>
        <source>&amp;Run Engine</source>
        <translation>Engine &amp;starten</translation>
    </message>
    <message>
        <source>Send due deliveries from this app (Ctrl+P pauses and resumes)</source>
        <translation>Fällige Zustellungen aus dieser App senden (Strg+P pausiert und setzt fort)</translation>
    </message>
    <message>
        <source>Viewer mode: another process (outhookd serve) sends the deliveries</source>
        <translation>Nur-Ansicht: ein anderer Prozess (outhookd serve) sendet die Zustellungen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Outhook</source>
        <translation>&amp;Über Outhook</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Hauptleiste</translation>
    </message>
    <message>
        <source>Engine: %1</source>
        <translation>Engine: %1</translation>
    </message>
    <message>
        <source>Viewer mode: another engine sends</source>
        <translation>Nur-Ansicht: eine andere Engine sendet</translation>
    </message>
    <message numerus="yes">
        <source>Engine running · %n in flight</source>
        <translation>
            <numerusform>Engine läuft · %n unterwegs</numerusform>
            <numerusform>Engine läuft · %n unterwegs</numerusform>
        </translation>
    </message>
    <message>
        <source>Engine paused</source>
        <translation>Engine pausiert</translation>
    </message>
    <message>
        <source>%1 due · %2 retrying later · %3 failed</source>
        <translation>%1 fällig · %2 später erneut · %3 fehlgeschlagen</translation>
    </message>
    <message>
        <source>Recover Failed Deliveries</source>
        <translation>Fehlgeschlagene Zustellungen erneut senden</translation>
    </message>
    <message>
        <source>Send every failed delivery of this webhook again, created since:</source>
        <translation>Jede fehlgeschlagene Zustellung dieses Webhooks erneut senden, erstellt seit:</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Seit</translation>
    </message>
    <message>
        <source>Recover</source>
        <translation>Erneut senden</translation>
    </message>
    <message>
        <source>Log History</source>
        <translation>Protokollverlauf</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Settings saved. Team settings apply now; personal ones at the next start.</source>
        <translation>Einstellungen gespeichert. Team-Einstellungen gelten sofort, persönliche ab dem nächsten Start.</translation>
    </message>
</context>
<context>
    <name>outhook::ui::NetworkPage</name>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Hinzufügen…</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>A&amp;llow</source>
        <translation>E&amp;rlauben</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>Ent&amp;fernen</translation>
    </message>
    <message>
        <source>Add CA Certificates</source>
        <translation>CA-Zertifikate hinzufügen</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>PEM-Zertifikate (*.pem *.crt *.cer);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Add CA file</source>
        <translation>CA-Datei hinzufügen</translation>
    </message>
    <message>
        <source>Remove CA file</source>
        <translation>CA-Datei entfernen</translation>
    </message>
    <message>
        <source>10.0.0.0/8, 192.168.1.20 or fd00::/8</source>
        <translation>10.0.0.0/8, 192.168.1.20 oder fd00::/8</translation>
    </message>
    <message>
        <source>Private destination to allow</source>
        <translation>Zu erlaubendes privates Ziel</translation>
    </message>
    <message>
        <source>Allow destination</source>
        <translation>Ziel erlauben</translation>
    </message>
    <message>
        <source>Remove allowed destination</source>
        <translation>Erlaubtes Ziel entfernen</translation>
    </message>
    <message>
        <source>⚠ Warning: every range listed here can be reached by any webhook URL, including machines inside your network (databases, admin consoles, cloud metadata at 169.254.169.254). Allow only the ranges your receivers really live in.</source>
        <translation>⚠ Warnung: Jeder hier aufgeführte Bereich ist für jede Webhook-URL erreichbar, auch Rechner in Ihrem Netzwerk (Datenbanken, Admin-Konsolen, Cloud-Metadaten unter 169.254.169.254). Erlauben Sie nur die Bereiche, in denen Ihre Empfänger tatsächlich liegen.</translation>
    </message>
    <message>
        <source>Trusted in addition to the system&apos;s certificates, for receivers with a private CA. Applies after a restart; --ca-file adds more.</source>
        <translation>Zusätzlich zu den Zertifikaten des Systems vertrauenswürdig, für Empfänger mit einer privaten CA. Gilt nach einem Neustart; --ca-file fügt weitere hinzu.</translation>
    </message>
    <message>
        <source>Extra &amp;CA files:</source>
        <translation>Zusätzliche &amp;CA-Dateien:</translation>
    </message>
    <message>
        <source>Allowed &amp;private destinations:</source>
        <translation>Er&amp;laubte private Ziele:</translation>
    </message>
    <message>
        <source>%1 is not an address or a range like 10.0.0.0/8</source>
        <translation>%1 ist weder eine Adresse noch ein Bereich wie 10.0.0.0/8</translation>
    </message>
</context>
<context>
    <name>outhook::ui::PasswordLineEdit</name>
    <message>
        <source>Hide</source>
        <translation>Verbergen</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Hide the text</source>
        <translation>Text verbergen</translation>
    </message>
    <message>
        <source>Show the text</source>
        <translation>Text anzeigen</translation>
    </message>
</context>
<context>
    <name>outhook::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>&amp;General</source>
        <translation>&amp;Allgemein</translation>
    </message>
    <message>
        <source>&amp;Database</source>
        <translation>Daten&amp;bank</translation>
    </message>
    <message>
        <source>&amp;Network</source>
        <translation>&amp;Netzwerk</translation>
    </message>
    <message>
        <source>&amp;Team</source>
        <translation>&amp;Team</translation>
    </message>
    <message>
        <source>Settings pages</source>
        <translation>Einstellungsseiten</translation>
    </message>
    <message>
        <source>Save settings</source>
        <translation>Einstellungen speichern</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>no database is open</source>
        <translation>keine Datenbank geöffnet</translation>
    </message>
    <message>
        <source>Nothing was saved: fix the field marked in red.</source>
        <translation>Nichts wurde gespeichert: Korrigieren Sie das rot markierte Feld.</translation>
    </message>
    <message>
        <source>Nothing was saved: fix the %1 fields marked in red.</source>
        <translation>Nichts wurde gespeichert: Korrigieren Sie die %1 rot markierten Felder.</translation>
    </message>
    <message>
        <source>Nothing was saved: %1</source>
        <translation>Nichts wurde gespeichert: %1</translation>
    </message>
</context>
<context>
    <name>outhook::ui::TaskProgressDialog</name>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Verbleibende Zeit</translation>
    </message>
    <message>
        <source>About 1 second left</source>
        <translation>Noch etwa 1 Sekunde</translation>
    </message>
    <message>
        <source>About %1 seconds left</source>
        <translation>Noch etwa %1 Sekunden</translation>
    </message>
    <message>
        <source>About %1 min left</source>
        <translation>Noch etwa %1 min</translation>
    </message>
    <message>
        <source>About %1 h left</source>
        <translation>Noch etwa %1 h</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Cancelling after the current batch…</source>
        <translation>Wird nach dem aktuellen Stapel abgebrochen…</translation>
    </message>
</context>
<context>
    <name>outhook::ui::TeamPage</name>
    <message>
        <source>Restore &amp;Defaults</source>
        <translation>Auf Standard &amp;zurücksetzen</translation>
    </message>
    <message>
        <source>No retries</source>
        <translation>Keine Wiederholungen</translation>
    </message>
    <message>
        <source>Delays before each retry, separated by commas: 30s, 5m, 2h or 1d</source>
        <translation>Wartezeiten vor jeder Wiederholung, durch Kommas getrennt: 30s, 5m, 2h oder 1d</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>A webhook whose deliveries keep failing this long is turned off: 12h, 5d, …</source>
        <translation>Ein Webhook, dessen Zustellungen so lange fehlschlagen, wird abgeschaltet: 12h, 5d, …</translation>
    </message>
    <message>
        <source> KiB</source>
        <translation> KiB</translation>
    </message>
    <message>
        <source>Response bodies are stored up to this size; the rest is cut off</source>
        <translation>Antworttexte werden bis zu dieser Größe gespeichert; der Rest wird abgeschnitten</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>Auf Standard zurücksetzen</translation>
    </message>
    <message>
        <source>These settings are stored in the database and apply to everyone who uses it, including outhookd engines. They take effect at once.</source>
        <translation>Diese Einstellungen werden in der Datenbank gespeichert und gelten für alle, die sie nutzen, auch für outhookd-Engines. Sie sind sofort wirksam.</translation>
    </message>
    <message>
        <source>Default &amp;retry delays:</source>
        <translation>Standard-&amp;Wartezeiten:</translation>
    </message>
    <message>
        <source>Default &amp;timeout:</source>
        <translation>Standard-Zeitli&amp;mit:</translation>
    </message>
    <message>
        <source>&amp;Auto-disable after:</source>
        <translation>Aut&amp;omatisch abschalten nach:</translation>
    </message>
    <message>
        <source>Response &amp;body cap:</source>
        <translation>Antworttext &amp;kürzen ab:</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>Could not read the team settings: %1</source>
        <translation>Die Team-Einstellungen konnten nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Write delays separated by commas, like 30s, 5m, 2h or 1d</source>
        <translation>Geben Sie Wartezeiten durch Kommas getrennt an, etwa 30s, 5m, 2h oder 1d</translation>
    </message>
    <message>
        <source>Write a duration like 12h or 5d</source>
        <translation>Geben Sie eine Dauer wie 12h oder 5d an</translation>
    </message>
</context>
<context>
    <name>outhook::ui::TestSendDialog</name>
    <message>
        <source>Test Send</source>
        <translation>Testsendung</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Response header</source>
        <translation>Antwort-Header</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Response headers</source>
        <translation>Antwort-Header</translation>
    </message>
    <message>
        <source>Response body</source>
        <translation>Antworttext</translation>
    </message>
    <message>
        <source>(empty body)</source>
        <translation>(leerer Inhalt)</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Wird gesendet…</translation>
    </message>
    <message>
        <source>%1 OK</source>
        <translation>%1 OK</translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <source>No response</source>
        <translation>Keine Antwort</translation>
    </message>
    <message>
        <source>%1 sample payload, %2 ms, delivery %3</source>
        <translation>Beispiel-Nutzdaten für %1, %2 ms, Zustellung %3</translation>
    </message>
    <message>
        <source>Signed: webhook-id, webhook-timestamp and webhook-signature were sent</source>
        <translation>Signiert: webhook-id, webhook-timestamp und webhook-signature wurden gesendet</translation>
    </message>
    <message>
        <source>Not signed: no live signing secret</source>
        <translation>Nicht signiert: kein gültiges Signaturgeheimnis</translation>
    </message>
    <message>
        <source>Error: %1 (%2)</source>
        <translation>Fehler: %1 (%2)</translation>
    </message>
    <message>
        <source>Body truncated at 64 KiB (full size %1 bytes)</source>
        <translation>Inhalt auf 64 KiB gekürzt (vollständige Größe %1 Bytes)</translation>
    </message>
    <message>
        <source>Could not send</source>
        <translation>Senden nicht möglich</translation>
    </message>
</context>
<context>
    <name>outhook::ui::WebhookEditor</name>
    <message>
        <source>New Webhook</source>
        <translation>Neuer Webhook</translation>
    </message>
    <message>
        <source>Save webhook</source>
        <translation>Webhook speichern</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>e.g. CRM sync</source>
        <translation>z. B. CRM-Abgleich</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>https://example.com/webhooks</source>
        <translation>https://example.com/webhooks</translation>
    </message>
    <message>
        <source>&amp;URL</source>
        <translation>&amp;URL</translation>
    </message>
    <message>
        <source>&amp;Active: deliver events to this endpoint</source>
        <translation>&amp;Aktiv: Ereignisse an diesen Endpunkt zustellen</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>Authentication</source>
        <translation>Authentifizierung</translation>
    </message>
    <message>
        <source>Authentication type</source>
        <translation>Authentifizierungsart</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <source>Basic (user name and password)</source>
        <translation>Basic (Benutzername und Passwort)</translation>
    </message>
    <message>
        <source>Bearer token</source>
        <translation>Bearer-Token</translation>
    </message>
    <message>
        <source>&amp;Type</source>
        <translation>&amp;Typ</translation>
    </message>
    <message>
        <source>Requests carry only the signature headers.</source>
        <translation>Anfragen enthalten nur die Signatur-Header.</translation>
    </message>
    <message>
        <source>User na&amp;me</source>
        <translation>&amp;Benutzername</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Passwort</translation>
    </message>
    <message>
        <source>To&amp;ken</source>
        <translation>To&amp;ken</translation>
    </message>
    <message>
        <source>Custom headers</source>
        <translation>Eigene Header</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>Zustellung</translation>
    </message>
    <message>
        <source>No retries</source>
        <translation>Keine Wiederholungen</translation>
    </message>
    <message>
        <source>Delays before each retry, separated by commas: 30s, 5m, 2h or 1d. Default: %1</source>
        <translation>Wartezeiten vor jeder Wiederholung, durch Kommas getrennt: 30s, 5m, 2h oder 1d. Standard: %1</translation>
    </message>
    <message>
        <source>&amp;Retry delays</source>
        <translation>&amp;Wartezeiten</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>How long to wait for the endpoint to answer each attempt</source>
        <translation>Wie lange bei jedem Versuch auf die Antwort des Endpunkts gewartet wird</translation>
    </message>
    <message>
        <source>T&amp;imeout</source>
        <translation>&amp;Zeitlimit</translation>
    </message>
    <message>
        <source>Signing secret</source>
        <translation>Signaturgeheimnis</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>Kop&amp;ieren</translation>
    </message>
    <message>
        <source>Copy signing secret</source>
        <translation>Signaturgeheimnis kopieren</translation>
    </message>
    <message>
        <source>R&amp;otate…</source>
        <translation>&amp;Erneuern…</translation>
    </message>
    <message>
        <source>Rotate signing secret</source>
        <translation>Signaturgeheimnis erneuern</translation>
    </message>
    <message>
        <source>Make a new secret; the old one keeps signing for a grace period</source>
        <translation>Ein neues Geheimnis erzeugen; das alte signiert noch während einer Übergangsfrist</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Geheimnis</translation>
    </message>
    <message>
        <source>Old secret valid for</source>
        <translation>Altes Geheimnis gültig für</translation>
    </message>
    <message>
        <source>Grace period</source>
        <translation>Übergangsfrist</translation>
    </message>
    <message>
        <source>A duration such as 24h, 30m or 0 to drop the old secret at once</source>
        <translation>Eine Dauer wie 24h, 30m oder 0, um das alte Geheimnis sofort zu verwerfen</translation>
    </message>
    <message>
        <source>Rotate</source>
        <translation>Erneuern</translation>
    </message>
    <message>
        <source>Rotate now</source>
        <translation>Jetzt erneuern</translation>
    </message>
    <message>
        <source>Cancel rotation</source>
        <translation>Erneuerung abbrechen</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>In die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>unverändert</translation>
    </message>
    <message>
        <source>Could not save the webhook.</source>
        <translation>Der Webhook konnte nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>New secret in place. Update the endpoint before the old one expires.</source>
        <translation>Neues Geheimnis aktiv. Aktualisieren Sie den Endpunkt, bevor das alte abläuft.</translation>
    </message>
    <message>
        <source>Use durations separated by commas, like 5m,10m,20m (empty for no retries)</source>
        <translation>Dauern durch Kommas getrennt angeben, etwa 5m,10m,20m (leer für keine Wiederholungen)</translation>
    </message>
    <message>
        <source>Fix these first:</source>
        <translation>Bitte zuerst beheben:</translation>
    </message>
    <message>
        <source>Enter a duration such as 24h, 30m or 0.</source>
        <translation>Geben Sie eine Dauer wie 24h, 30m oder 0 ein.</translation>
    </message>
    <message>
        <source>Rotating; the old secret stays valid for %1.</source>
        <translation>Wird erneuert; das alte Geheimnis bleibt %1 gültig.</translation>
    </message>
    <message>
        <source>Rotating; the old secret stops working at once.</source>
        <translation>Wird erneuert; das alte Geheimnis wird sofort ungültig.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
</context>
<context>
    <name>outhook::ui::WebhookListModel</name>
    <message>
        <source>Disabled: %1</source>
        <translation>Deaktiviert: %1</translation>
    </message>
    <message>
        <source>Active: click to deactivate</source>
        <translation>Aktiv: zum Deaktivieren klicken</translation>
    </message>
    <message>
        <source>Inactive: click to activate</source>
        <translation>Inaktiv: zum Aktivieren klicken</translation>
    </message>
    <message>
        <source>1 event</source>
        <translation>1 Ereignis</translation>
    </message>
    <message>
        <source>%1 events</source>
        <translation>%1 Ereignisse</translation>
    </message>
    <message>
        <source>On</source>
        <translation>An</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>Turned off: %1</source>
        <translation>Abgeschaltet: %1</translation>
    </message>
    <message>
        <source>Never sent</source>
        <translation>Nie gesendet</translation>
    </message>
    <message>
        <source>OK %1</source>
        <translation>OK %1</translation>
    </message>
    <message>
        <source>Failed %1</source>
        <translation>Fehler %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Last result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Failures</source>
        <translation>Fehlschläge</translation>
    </message>
</context>
<context>
    <name>outhook::ui::WebhookListPanel</name>
    <message>
        <source>&amp;New Webhook…</source>
        <translation>&amp;Neuer Webhook…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <source>D&amp;uplicate…</source>
        <translation>&amp;Duplizieren…</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>&amp;Test Send</source>
        <translation>&amp;Testsendung</translation>
    </message>
    <message>
        <source>Send the sample payload of the webhook&apos;s first event type now</source>
        <translation>Die Beispiel-Nutzdaten des ersten Ereignistyps dieses Webhooks jetzt senden</translation>
    </message>
    <message>
        <source>&amp;Recover Failed Since…</source>
        <translation>&amp;Fehlgeschlagene erneut senden seit…</translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation>Webhooks</translation>
    </message>
    <message>
        <source>No webhooks yet. Click &lt;b&gt;New Webhook&lt;/b&gt; to add the first endpoint.</source>
        <translation>Noch keine Webhooks. Klicken Sie auf &lt;b&gt;Neuer Webhook&lt;/b&gt;, um den ersten Endpunkt hinzuzufügen.</translation>
    </message>
    <message>
        <source>Copy of %1</source>
        <translation>Kopie von %1</translation>
    </message>
    <message>
        <source>Edit Webhook</source>
        <translation>Webhook bearbeiten</translation>
    </message>
    <message>
        <source>New Webhook</source>
        <translation>Neuer Webhook</translation>
    </message>
    <message>
        <source>Saved webhook &quot;%1&quot;</source>
        <translation>Webhook „%1“ gespeichert</translation>
    </message>
    <message>
        <source>Rotate Secret</source>
        <translation>Geheimnis erneuern</translation>
    </message>
    <message>
        <source>New signing secret for &quot;%1&quot;; the old one stays valid during the grace period</source>
        <translation>Neues Signaturgeheimnis für „%1“; das alte bleibt während der Übergangsfrist gültig</translation>
    </message>
    <message>
        <source>Delete Webhook</source>
        <translation>Webhook löschen</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot;?

Its delivery history is deleted too. This cannot be undone.</source>
        <translation>„%1“ löschen?

Sein Zustellungsverlauf wird ebenfalls gelöscht. Dies kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Deleted webhook &quot;%1&quot;</source>
        <translation>Webhook „%1“ gelöscht</translation>
    </message>
    <message>
        <source>You may not change webhooks with this database account</source>
        <translation>Mit diesem Datenbankkonto dürfen Sie keine Webhooks ändern</translation>
    </message>
    <message>
        <source>Change Webhook</source>
        <translation>Webhook ändern</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is on</source>
        <translation>„%1“ ist aktiv</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is off</source>
        <translation>„%1“ ist inaktiv</translation>
    </message>
</context>
</TS>
