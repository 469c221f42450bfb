<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr" sourcelanguage="en">
<context>
    <name>DeliveryTasks</name>
    <message>
        <source>Requeued 1 delivery</source>
        <translation>1 livraison remise en file</translation>
    </message>
    <message>
        <source>Requeued %1 deliveries</source>
        <translation>%1 livraisons remises en file</translation>
    </message>
    <message>
        <source>%1 skipped (being sent right now, or deleted)</source>
        <translation>%1 ignorées (en cours d’envoi ou supprimées)</translation>
    </message>
    <message>
        <source>Stopped by an error: %1</source>
        <translation>Interrompu par une erreur : %1</translation>
    </message>
    <message>
        <source>Cancelled: the other %1 were left as they were.</source>
        <translation>Annulé : les %1 autres sont restées inchangées.</translation>
    </message>
    <message>
        <source>Exported %1 of %2 deliveries</source>
        <translation>%1 livraisons sur %2 exportées</translation>
    </message>
    <message>
        <source>Requeued %1 of %2 deliveries</source>
        <translation>%1 livraisons sur %2 remises en file</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>Impossible d’écrire %1 : %2</translation>
    </message>
    <message>
        <source>Export failed; no file was written: %1</source>
        <translation>Échec de l’export ; aucun fichier n’a été écrit : %1</translation>
    </message>
    <message>
        <source>Export cancelled; no file was written.</source>
        <translation>Export annulé ; aucun fichier n’a été écrit.</translation>
    </message>
    <message>
        <source>Exported 1 delivery to %1</source>
        <translation>1 livraison exportée vers %1</translation>
    </message>
    <message>
        <source>Exported %1 deliveries to %2</source>
        <translation>%1 livraisons exportées vers %2</translation>
    </message>
    <message>
        <source>(%1 no longer existed)</source>
        <translation>(introuvables : %1)</translation>
    </message>
</context>
<context>
    <name>HealthCharts</name>
    <message>
        <source>Hour (local time)</source>
        <translation>Heure (heure locale)</translation>
    </message>
    <message>
        <source>Day (local time)</source>
        <translation>Jour (heure locale)</translation>
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
        <translation>Livraisons par heure</translation>
    </message>
    <message>
        <source>Deliveries per 6 hours</source>
        <translation>Livraisons par tranche de 6 heures</translation>
    </message>
    <message>
        <source>Success rate</source>
        <translation>Taux de réussite</translation>
    </message>
    <message>
        <source>Deliveries</source>
        <translation>Livraisons</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latence</translation>
    </message>
    <message>
        <source>p50 (median)</source>
        <translation>p50 (médiane)</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>ms (log scale)</source>
        <translation>ms (échelle logarithmique)</translation>
    </message>
    <message>
        <source>Most frequent errors</source>
        <translation>Erreurs les plus fréquentes</translation>
    </message>
    <message>
        <source>Failed attempts</source>
        <translation>Tentatives échouées</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Outhook: manage and debug outbound webhooks.</source>
        <translation>Outhook : gérer et déboguer les webhooks sortants.</translation>
    </message>
    <message>
        <source>Database URL or SQLite path.</source>
        <translation>URL de la base de données ou chemin SQLite.</translation>
    </message>
    <message>
        <source>Do not send deliveries from this app (outhookd serve runs elsewhere).</source>
        <translation>Ne pas envoyer de livraisons depuis cette application (outhookd serve tourne ailleurs).</translation>
    </message>
    <message>
        <source>Extra trusted CA certificates (PEM).</source>
        <translation>Certificats d’AC de confiance supplémentaires (PEM).</translation>
    </message>
    <message>
        <source>Allow a private or loopback range, e.g. 127.0.0.0/8.</source>
        <translation>Autoriser une plage privée ou de bouclage, p. ex. 127.0.0.0/8.</translation>
    </message>
    <message>
        <source>Outhook</source>
        <translation>Outhook</translation>
    </message>
    <message>
        <source>--ca-file %1: not a readable file</source>
        <translation>--ca-file %1 : fichier illisible</translation>
    </message>
    <message>
        <source>--allow-destination %1: not an address or CIDR</source>
        <translation>--allow-destination %1 : ni une adresse ni une plage CIDR</translation>
    </message>
    <message>
        <source>Cannot open the database</source>
        <translation>Impossible d’ouvrir la base de données</translation>
    </message>
    <message>
        <source>CA file %1 is not readable</source>
        <translation>Le fichier d’AC %1 est illisible</translation>
    </message>
    <message>
        <source>%1 is not an address or CIDR</source>
        <translation>%1 n’est ni une adresse ni une plage CIDR</translation>
    </message>
    <message>
        <source>Some network settings were skipped (Settings → Network):
%1</source>
        <translation>Certains paramètres réseau ont été ignorés (Paramètres → Réseau) :
%1</translation>
    </message>
</context>
<context>
    <name>PersonalSettings</name>
    <message>
        <source>%1 is not a readable file</source>
        <translation>%1 n’est pas un fichier lisible</translation>
    </message>
    <message>
        <source>%1 is not an address or a range like 10.0.0.0/8</source>
        <translation>%1 n’est ni une adresse ni une plage comme 10.0.0.0/8</translation>
    </message>
    <message>
        <source>Unknown language %1</source>
        <translation>Langue inconnue %1</translation>
    </message>
</context>
<context>
    <name>WebhookValidator</name>
    <message>
        <source>Name is required</source>
        <translation>Le nom est obligatoire</translation>
    </message>
    <message>
        <source>Name must be at most %1 characters</source>
        <translation>Le nom ne doit pas dépasser %1 caractères</translation>
    </message>
    <message>
        <source>Name must not contain control characters</source>
        <translation>Le nom ne doit pas contenir de caractères de contrôle</translation>
    </message>
    <message>
        <source>URL is required</source>
        <translation>L’URL est obligatoire</translation>
    </message>
    <message>
        <source>URL must be at most %1 characters</source>
        <translation>L’URL ne doit pas dépasser %1 caractères</translation>
    </message>
    <message>
        <source>URL must not contain spaces or control characters</source>
        <translation>L’URL ne doit contenir ni espaces ni caractères de contrôle</translation>
    </message>
    <message>
        <source>URL must be absolute, like https://example.com/webhooks</source>
        <translation>L’URL doit être absolue, comme https://example.com/webhooks</translation>
    </message>
    <message>
        <source>HTTPS is required</source>
        <translation>HTTPS est obligatoire</translation>
    </message>
    <message>
        <source>URL is not valid: %1</source>
        <translation>L’URL n’est pas valide : %1</translation>
    </message>
    <message>
        <source>URL must include a host</source>
        <translation>L’URL doit comporter un hôte</translation>
    </message>
    <message>
        <source>URL must not contain a user name or password; use Basic auth instead</source>
        <translation>L’URL ne doit contenir ni nom d’utilisateur ni mot de passe ; utilisez plutôt l’authentification Basic</translation>
    </message>
    <message>
        <source>URL must not contain a #fragment; it is never sent</source>
        <translation>L’URL ne doit pas contenir de #fragment ; il n’est jamais envoyé</translation>
    </message>
    <message>
        <source>Host name mixes letters from different scripts, which can imitate another domain</source>
        <translation>Le nom d’hôte mélange des lettres de plusieurs écritures, ce qui peut imiter un autre domaine</translation>
    </message>
    <message>
        <source>Host name is not valid</source>
        <translation>Le nom d’hôte n’est pas valide</translation>
    </message>
    <message>
        <source>Header name is required</source>
        <translation>Le nom de l’en-tête est obligatoire</translation>
    </message>
    <message>
        <source>Header name must be at most %1 characters</source>
        <translation>Le nom de l’en-tête ne doit pas dépasser %1 caractères</translation>
    </message>
    <message>
        <source>Header name may contain only letters, digits and !#$%&amp;&apos;*+-.^_`|~</source>
        <translation>Le nom de l’en-tête ne peut contenir que des lettres, des chiffres et !#$%&amp;&apos;*+-.^_`|~</translation>
    </message>
    <message>
        <source>Header &quot;authorization&quot; is set by the chosen auth; choose auth None to set it yourself</source>
        <translation>L’en-tête « authorization » est défini par l’authentification choisie ; choisissez « Aucune » pour le définir vous-même</translation>
    </message>
    <message>
        <source>Header &quot;%1&quot; is set by Outhook and cannot be changed</source>
        <translation>L’en-tête « %1 » est défini par Outhook et ne peut pas être modifié</translation>
    </message>
    <message>
        <source>Header value must not contain CR, LF or NUL characters</source>
        <translation>La valeur de l’en-tête ne doit pas contenir de caractères CR, LF ou NUL</translation>
    </message>
    <message>
        <source>Header value must not contain control characters</source>
        <translation>La valeur de l’en-tête ne doit pas contenir de caractères de contrôle</translation>
    </message>
    <message>
        <source>Header value must be at most %1 characters</source>
        <translation>La valeur de l’en-tête ne doit pas dépasser %1 caractères</translation>
    </message>
    <message>
        <source>Timeout must be between 1 and %1 seconds</source>
        <translation>Le délai d’attente doit être compris entre 1 et %1 secondes</translation>
    </message>
    <message>
        <source>At most %1 retries are allowed</source>
        <translation>%1 nouvelles tentatives au maximum sont autorisées</translation>
    </message>
    <message>
        <source>Each retry delay must be between 1 second and 7 days</source>
        <translation>Chaque délai de relance doit être compris entre 1 seconde et 7 jours</translation>
    </message>
    <message>
        <source>User name is required for Basic auth</source>
        <translation>Le nom d’utilisateur est obligatoire pour l’authentification Basic</translation>
    </message>
    <message>
        <source>User name must not contain &quot;:&quot; or control characters</source>
        <translation>Le nom d’utilisateur ne doit contenir ni « : » ni caractères de contrôle</translation>
    </message>
    <message>
        <source>User name must be at most 256 characters</source>
        <translation>Le nom d’utilisateur ne doit pas dépasser 256 caractères</translation>
    </message>
    <message>
        <source>Password is required for Basic auth</source>
        <translation>Le mot de passe est obligatoire pour l’authentification Basic</translation>
    </message>
    <message>
        <source>Password must not contain control characters</source>
        <translation>Le mot de passe ne doit pas contenir de caractères de contrôle</translation>
    </message>
    <message>
        <source>Password must be at most 1024 characters</source>
        <translation>Le mot de passe ne doit pas dépasser 1024 caractères</translation>
    </message>
    <message>
        <source>Token is required for Bearer auth</source>
        <translation>Le jeton est obligatoire pour l’authentification Bearer</translation>
    </message>
    <message>
        <source>Token must not contain spaces or control characters</source>
        <translation>Le jeton ne doit contenir ni espaces ni caractères de contrôle</translation>
    </message>
    <message>
        <source>Token must be at most 4096 characters</source>
        <translation>Le jeton ne doit pas dépasser 4096 caractères</translation>
    </message>
    <message>
        <source>Choose at least one event type</source>
        <translation>Choisissez au moins un type d’événement</translation>
    </message>
    <message>
        <source>Unknown event type &quot;%1&quot;</source>
        <translation>Type d’événement inconnu « %1 »</translation>
    </message>
    <message>
        <source>At most %1 custom headers are allowed</source>
        <translation>%1 en-têtes personnalisés au maximum sont autorisés</translation>
    </message>
    <message>
        <source>Header &quot;%1&quot; is set twice</source>
        <translation>L’en-tête « %1 » est défini deux fois</translation>
    </message>
    <message>
        <source>Header &quot;%1&quot; controls how the request is framed or relayed and cannot be set</source>
        <translation>L’en-tête « %1 » détermine comment la requête est transmise ou relayée et ne peut pas être défini</translation>
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
        <translation>À propos d’Outhook</translation>
    </message>
    <message>
        <source>Outhook icon</source>
        <translation>Icône d’Outhook</translation>
    </message>
    <message>
        <source>Manage and debug outbound webhooks: signed deliveries, retries and a searchable history of every attempt.</source>
        <translation>Gérer et déboguer les webhooks sortants : livraisons signées, relances et historique consultable de chaque tentative.</translation>
    </message>
    <message>
        <source>Database: %1&lt;br&gt;Qt %2 · %3 · TLS: %4</source>
        <translation>Base de données : %1&lt;br&gt;Qt %2 · %3 · TLS : %4</translation>
    </message>
    <message>
        <source>Licences</source>
        <translation>Licences</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Outhook&lt;/h3&gt;&lt;p&gt;Copyright © 2026 the Outhook authors. All rights reserved.&lt;/p&gt;&lt;h3&gt;Qt %1&lt;/h3&gt;&lt;p&gt;Outhook uses the Qt toolkit under the GNU Lesser General Public License version 3 (LGPLv3), linked dynamically, so you may replace the Qt libraries with your own build. The licence text and Qt&apos;s source code are available from &lt;a href=&quot;https://www.qt.io/licensing/&quot;&gt;qt.io/licensing&lt;/a&gt; and from your distribution&apos;s Qt source packages.&lt;/p&gt;&lt;h3&gt;OpenSSL&lt;/h3&gt;&lt;p&gt;Signing, secret encryption and TLS use OpenSSL, under the Apache License 2.0 (&lt;a href=&quot;https://www.apache.org/licenses/LICENSE-2.0&quot;&gt;apache.org/licenses/LICENSE-2.0&lt;/a&gt;).&lt;/p&gt;&lt;h3&gt;libcurl&lt;/h3&gt;&lt;p&gt;Deliveries are sent with libcurl, under the curl licence (MIT/X derivative): Copyright © Daniel Stenberg and many contributors. Permission to use, copy, modify and distribute this software for any purpose with or without fee is hereby granted, provided that the copyright notice and this permission notice appear in all copies (&lt;a href=&quot;https://curl.se/docs/copyright.html&quot;&gt;curl.se/docs/copyright.html&lt;/a&gt;).&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Outhook&lt;/h3&gt;&lt;p&gt;Copyright © 2026 les auteurs d’Outhook. Tous droits réservés.&lt;/p&gt;&lt;h3&gt;Qt %1&lt;/h3&gt;&lt;p&gt;Outhook utilise la bibliothèque Qt sous licence GNU Lesser General Public License version 3 (LGPLv3), liée dynamiquement : vous pouvez donc remplacer les bibliothèques Qt par votre propre compilation. Le texte de la licence et le code source de Qt sont disponibles sur &lt;a href=&quot;https://www.qt.io/licensing/&quot;&gt;qt.io/licensing&lt;/a&gt; et dans les paquets source Qt de votre distribution.&lt;/p&gt;&lt;h3&gt;OpenSSL&lt;/h3&gt;&lt;p&gt;La signature, le chiffrement des secrets et TLS utilisent OpenSSL, sous licence Apache 2.0 (&lt;a href=&quot;https://www.apache.org/licenses/LICENSE-2.0&quot;&gt;apache.org/licenses/LICENSE-2.0&lt;/a&gt;).&lt;/p&gt;&lt;h3&gt;libcurl&lt;/h3&gt;&lt;p&gt;Les livraisons sont envoyées avec libcurl, sous licence curl (dérivée de MIT/X) : « Copyright © Daniel Stenberg and many contributors. Permission to use, copy, modify and distribute this software for any purpose with or without fee is hereby granted, provided that the copyright notice and this permission notice appear in all copies » (&lt;a href=&quot;https://curl.se/docs/copyright.html&quot;&gt;curl.se/docs/copyright.html&lt;/a&gt;).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>À propos de &amp;Qt</translation>
    </message>
    <message>
        <source>About Qt</source>
        <translation>À propos de Qt</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
</context>
<context>
    <name>outhook::ui::AttemptDetailView</name>
    <message>
        <source>Summary</source>
        <translation>Résumé</translation>
    </message>
    <message>
        <source>Select a delivery or an attempt to see its details.</source>
        <translation>Sélectionnez une livraison ou une tentative pour en voir les détails.</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Charge utile</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <source>Response headers</source>
        <translation>En-têtes de la réponse</translation>
    </message>
    <message>
        <source>Request headers</source>
        <translation>En-têtes de la requête</translation>
    </message>
    <message>
        <source>Truncation note</source>
        <translation>Note de troncature</translation>
    </message>
    <message>
        <source>Response body</source>
        <translation>Corps de la réponse</translation>
    </message>
    <message>
        <source>(empty body)</source>
        <translation>(corps vide)</translation>
    </message>
    <message>
        <source>Delivery %1 · %2 · %3 · webhook-id %4</source>
        <translation>Livraison %1 · %2 · %3 · webhook-id %4</translation>
    </message>
    <message>
        <source>Attempt %1</source>
        <translation>Tentative %1</translation>
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
        <translation>distant %1</translation>
    </message>
    <message>
        <source>POST %1</source>
        <translation>POST %1</translation>
    </message>
    <message>
        <source>Truncated at %1 KiB (full size %2 bytes)</source>
        <translation>Tronqué à %1 Kio (taille complète %2 octets)</translation>
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
        <translation>&amp;Afficher Outhook</translation>
    </message>
    <message>
        <source>&quot;%1&quot; was turned off: %2</source>
        <translation>« %1 » a été désactivé : %2</translation>
    </message>
    <message>
        <source>Webhook turned off automatically</source>
        <translation>Webhook désactivé automatiquement</translation>
    </message>
</context>
<context>
    <name>outhook::ui::ConnectionTester</name>
    <message>
        <source>Cannot create %1: %2 is not a writable folder</source>
        <translation>Impossible de créer %1 : %2 n’est pas un dossier accessible en écriture</translation>
    </message>
    <message>
        <source>%1 does not exist yet; Outhook will create it when it starts</source>
        <translation>%1 n’existe pas encore ; Outhook le créera au démarrage</translation>
    </message>
    <message>
        <source>%1 is empty and not writable</source>
        <translation>%1 est vide et n’est pas accessible en écriture</translation>
    </message>
    <message>
        <source>%1 is empty; Outhook will set it up when it starts</source>
        <translation>%1 est vide ; Outhook l’initialisera au démarrage</translation>
    </message>
    <message>
        <source>%1 has schema version %2, newer than this Outhook supports (%3)</source>
        <translation>%1 a la version de schéma %2, plus récente que celle prise en charge par cette version d’Outhook (%3)</translation>
    </message>
    <message>
        <source>Connected to %1; it is empty and Outhook will set it up</source>
        <translation>Connecté à %1 ; la base est vide et Outhook l’initialisera</translation>
    </message>
    <message>
        <source>Connected to %1; its schema (version %2) will be upgraded to version %3 at the next start</source>
        <translation>Connecté à %1 ; son schéma (version %2) sera mis à niveau vers la version %3 au prochain démarrage</translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation>Connecté à %1</translation>
    </message>
</context>
<context>
    <name>outhook::ui::DatabasePage</name>
    <message>
        <source>&amp;Test Connection</source>
        <translation>&amp;Tester la connexion</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Tester la connexion</translation>
    </message>
    <message>
        <source>Open the database without changing it and report what was found</source>
        <translation>Ouvrir la base de données sans la modifier et indiquer ce qui a été trouvé</translation>
    </message>
    <message>
        <source>Normal (fast; a power cut may lose the last moments)</source>
        <translation>Normale (rapide ; une coupure de courant peut faire perdre les derniers instants)</translation>
    </message>
    <message>
        <source>Full (wait for the disk on every commit)</source>
        <translation>Complète (attendre le disque à chaque validation)</translation>
    </message>
    <message>
        <source>A file path, sqlite:///path/to/file.db or postgres://user:password@host:5432/db. Empty: the default file. Changes apply the next time Outhook starts; --db overrides this.</source>
        <translation>Un chemin de fichier, sqlite:///path/to/file.db ou postgres://user:password@host:5432/db. Vide : le fichier par défaut. Les modifications s’appliquent au prochain démarrage d’Outhook ; --db a priorité.</translation>
    </message>
    <message>
        <source>SQLite only: how each commit is synced to disk (PostgreSQL decides this on the server).</source>
        <translation>SQLite uniquement : comment chaque validation est synchronisée sur le disque (avec PostgreSQL, c’est le serveur qui décide).</translation>
    </message>
    <message>
        <source>&amp;Database:</source>
        <translation>&amp;Base de données :</translation>
    </message>
    <message>
        <source>D&amp;urability:</source>
        <translation>D&amp;urabilité :</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connexion…</translation>
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
        <translation>En attente</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Relance prévue</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Réussie</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échouée</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Planifiée</translation>
    </message>
    <message>
        <source>Manual</source>
        <translation>Manuelle</translation>
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
        <translation>Date/heure</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Événement</translation>
    </message>
    <message>
        <source>Webhook URL</source>
        <translation>URL du webhook</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>Réponse</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Tentatives</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Next attempt at %1</source>
        <translation>Prochaine tentative à %1</translation>
    </message>
    <message>
        <source>Last attempt failed: %1</source>
        <translation>Échec de la dernière tentative : %1</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>en attente</translation>
    </message>
    <message>
        <source>Attempt %1</source>
        <translation>Tentative %1</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>aucune réponse</translation>
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
        <translation>Tout sélectionner</translation>
    </message>
    <message>
        <source>Select none</source>
        <translation>Ne rien sélectionner</translation>
    </message>
    <message>
        <source>Search event types</source>
        <translation>Rechercher des types d’événements</translation>
    </message>
    <message>
        <source>Event type</source>
        <translation>Type d’événement</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Event types</source>
        <translation>Types d’événements</translation>
    </message>
    <message>
        <source>Acts on the kind of the selected row, or on every kind when no row is selected</source>
        <translation>Agit sur la catégorie de la ligne sélectionnée, ou sur toutes les catégories si aucune ligne n’est sélectionnée</translation>
    </message>
    <message>
        <source>Select all event types of the kind</source>
        <translation>Sélectionner tous les types d’événements de la catégorie</translation>
    </message>
    <message>
        <source>Select no event types of the kind</source>
        <translation>Ne sélectionner aucun type d’événement de la catégorie</translation>
    </message>
    <message>
        <source>Not in catalog</source>
        <translation>Absent du catalogue</translation>
    </message>
    <message>
        <source>This event type is not in the catalog</source>
        <translation>Ce type d’événement n’est pas dans le catalogue</translation>
    </message>
    <message>
        <source>Kind %1</source>
        <translation>Catégorie %1</translation>
    </message>
    <message>
        <source>Select all of &quot;%1&quot;</source>
        <translation>Tout sélectionner dans « %1 »</translation>
    </message>
    <message>
        <source>Select none of &quot;%1&quot;</source>
        <translation>Ne rien sélectionner dans « %1 »</translation>
    </message>
</context>
<context>
    <name>outhook::ui::GeneralPage</name>
    <message>
        <source>Send deliveries from this app</source>
        <translation>Envoyer les livraisons depuis cette application</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>Uncheck when outhookd serve sends the deliveries elsewhere (viewer mode)</source>
        <translation>Décocher quand outhookd serve envoie les livraisons ailleurs (mode lecture)</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Langue :</translation>
    </message>
    <message>
        <source>Takes effect after a restart.</source>
        <translation>Prend effet après un redémarrage.</translation>
    </message>
    <message>
        <source>Engine:</source>
        <translation>Moteur :</translation>
    </message>
    <message>
        <source>Uncheck when outhookd serve runs elsewhere: this app then only shows and edits. Takes effect after a restart; --no-engine overrides it.</source>
        <translation>Décocher quand outhookd serve tourne ailleurs : cette application se contente alors d’afficher et de modifier. Prend effet après un redémarrage ; --no-engine a priorité.</translation>
    </message>
</context>
<context>
    <name>outhook::ui::HeaderTableEditor</name>
    <message>
        <source>Add</source>
        <translation>Ajouter</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Show secret values</source>
        <translation>Afficher les valeurs secrètes</translation>
    </message>
    <message>
        <source>Custom headers</source>
        <translation>En-têtes personnalisés</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Secret</translation>
    </message>
    <message>
        <source>Secret values are encrypted at rest and redacted</source>
        <translation>Les valeurs secrètes sont chiffrées au repos et masquées</translation>
    </message>
    <message>
        <source>Add header</source>
        <translation>Ajouter un en-tête</translation>
    </message>
    <message>
        <source>Remove selected headers</source>
        <translation>Supprimer les en-têtes sélectionnés</translation>
    </message>
    <message>
        <source>Show secret header values</source>
        <translation>Afficher les valeurs d’en-tête secrètes</translation>
    </message>
    <message>
        <source>Header name</source>
        <translation>Nom de l’en-tête</translation>
    </message>
    <message>
        <source>Header value</source>
        <translation>Valeur de l’en-tête</translation>
    </message>
    <message>
        <source>Row %1: %2</source>
        <translation>Ligne %1 : %2</translation>
    </message>
    <message numerus="yes">
        <source>and %n more problem(s)</source>
        <translation>
            <numerusform>et %n autre problème</numerusform>
            <numerusform>et %n autres problèmes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>outhook::ui::HealthDashboard</name>
    <message>
        <source>All webhooks</source>
        <translation>Tous les webhooks</translation>
    </message>
    <message>
        <source>Webhook</source>
        <translation>Webhook</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Dernières 24 heures</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>7 derniers jours</translation>
    </message>
    <message>
        <source>Time range</source>
        <translation>Période</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualiser</translation>
    </message>
    <message>
        <source>Load the numbers again (they also refresh every minute)</source>
        <translation>Recharger les chiffres (ils sont aussi actualisés chaque minute)</translation>
    </message>
    <message>
        <source>Dashboard status</source>
        <translation>État du tableau de bord</translation>
    </message>
    <message>
        <source>Webhook:</source>
        <translation>Webhook :</translation>
    </message>
    <message>
        <source>Deliveries</source>
        <translation>Livraisons</translation>
    </message>
    <message>
        <source>Success rate</source>
        <translation>Taux de réussite</translation>
    </message>
    <message>
        <source>Latency p50</source>
        <translation>Latence p50</translation>
    </message>
    <message>
        <source>Latency p95</source>
        <translation>Latence p95</translation>
    </message>
    <message>
        <source>Failed attempts</source>
        <translation>Tentatives échouées</translation>
    </message>
    <message>
        <source>No failed attempts in this period.</source>
        <translation>Aucune tentative échouée sur cette période.</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <source>Updated %1</source>
        <translation>Mis à jour : %1</translation>
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
        <translation>Tentatives échouées, de tout type, sur cette période</translation>
    </message>
    <message>
        <source>Could not load</source>
        <translation>Chargement impossible</translation>
    </message>
    <message>
        <source>Could not load the delivery health: %1</source>
        <translation>Impossible de charger l’état de santé des livraisons : %1</translation>
    </message>
    <message>
        <source>the last 7 days</source>
        <translation>les 7 derniers jours</translation>
    </message>
    <message>
        <source>the last 24 hours</source>
        <translation>les dernières 24 heures</translation>
    </message>
    <message>
        <source>No deliveries for %1 in %2.</source>
        <translation>Aucune livraison pour %1 sur %2.</translation>
    </message>
    <message>
        <source>No deliveries in %1.
Emit an event or send a test to see the health of your webhooks here.</source>
        <translation>Aucune livraison sur %1.
Émettez un événement ou envoyez un test pour voir ici l’état de santé de vos webhooks.</translation>
    </message>
    <message>
        <source>Success rate: %1%</source>
        <translation>Taux de réussite : %1 %</translation>
    </message>
    <message>
        <source>&lt;i&gt;Click to see these deliveries in the Log History&lt;/i&gt;</source>
        <translation>&lt;i&gt;Cliquer pour voir ces livraisons dans l’Historique des journaux&lt;/i&gt;</translation>
    </message>
</context>
<context>
    <name>outhook::ui::LogFilterBar</name>
    <message>
        <source>All webhooks</source>
        <translation>Tous les webhooks</translation>
    </message>
    <message>
        <source>Webhook filter</source>
        <translation>Filtre par webhook</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>Tous les événements</translation>
    </message>
    <message>
        <source>Event type filter</source>
        <translation>Filtre par type d’événement</translation>
    </message>
    <message>
        <source>All outcomes</source>
        <translation>Tous les résultats</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Réussies</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échouées</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Relance prévue</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Outcome filter</source>
        <translation>Filtre par résultat</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Dernière heure</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Dernières 24 heures</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>7 derniers jours</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>Toute la période</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>Personnalisée…</translation>
    </message>
    <message>
        <source>Time range</source>
        <translation>Période</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Du</translation>
    </message>
    <message>
        <source>Deliveries created at or after this time</source>
        <translation>Livraisons créées à partir de cette date</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Au</translation>
    </message>
    <message>
        <source>Deliveries created before this time</source>
        <translation>Livraisons créées avant cette date</translation>
    </message>
    <message>
        <source>Delivery id, event id or response text</source>
        <translation>ID ou texte de réponse</translation>
    </message>
    <message>
        <source>Search deliveries</source>
        <translation>Rechercher des livraisons</translation>
    </message>
</context>
<context>
    <name>outhook::ui::LogHistoryView</name>
    <message>
        <source>&amp;Resend</source>
        <translation>&amp;Renvoyer</translation>
    </message>
    <message>
        <source>Queue the delivery again now, with the same payload</source>
        <translation>Remettre la livraison en file maintenant, avec la même charge utile</translation>
    </message>
    <message>
        <source>Copy as c&amp;URL</source>
        <translation>Copier en c&amp;URL</translation>
    </message>
    <message>
        <source>Copy a curl command that repeats this request (secrets stay redacted)</source>
        <translation>Copier une commande curl qui rejoue cette requête (les secrets restent masqués)</translation>
    </message>
    <message>
        <source>Copy &amp;Payload</source>
        <translation>Copier la &amp;charge utile</translation>
    </message>
    <message>
        <source>Re&amp;load Log</source>
        <translation>Rec&amp;harger le journal</translation>
    </message>
    <message>
        <source>&amp;Search Log</source>
        <translation>Rechercher dans le &amp;journal</translation>
    </message>
    <message>
        <source>Deliveries</source>
        <translation>Livraisons</translation>
    </message>
    <message>
        <source>Log status</source>
        <translation>État du journal</translation>
    </message>
    <message>
        <source>Could not read the delivery log: %1</source>
        <translation>Impossible de lire le journal des livraisons : %1</translation>
    </message>
    <message>
        <source>Could not resend delivery %1: %2</source>
        <translation>Impossible de renvoyer la livraison %1 : %2</translation>
    </message>
    <message>
        <source>Delivery %1 queued for resend</source>
        <translation>Livraison %1 remise en file pour renvoi</translation>
    </message>
    <message>
        <source>Delivery %1 has no attempts yet: nothing to copy</source>
        <translation>La livraison %1 n’a encore aucune tentative : rien à copier</translation>
    </message>
    <message>
        <source>Copied a cURL command; redacted secrets must be filled in before running it</source>
        <translation>Commande cURL copiée ; renseignez les secrets masqués avant de l’exécuter</translation>
    </message>
    <message>
        <source>Copied the payload of delivery %1</source>
        <translation>Charge utile de la livraison %1 copiée</translation>
    </message>
    <message>
        <source>Could not read the log: %1</source>
        <translation>Impossible de lire le journal : %1</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <source>Deliveries shown: %1 · loading more…</source>
        <translation>Livraisons affichées : %1 · chargement de la suite…</translation>
    </message>
    <message>
        <source>No deliveries match these filters.</source>
        <translation>Aucune livraison ne correspond à ces filtres.</translation>
    </message>
    <message>
        <source>Deliveries shown: %1 · scroll down for older ones</source>
        <translation>Livraisons affichées : %1 · faites défiler pour les plus anciennes</translation>
    </message>
    <message>
        <source>Deliveries shown: %1</source>
        <translation>Livraisons affichées : %1</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>&amp;Exporter…</translation>
    </message>
    <message>
        <source>Save the selected deliveries, or all that match the filters, as HAR, CSV or JSON Lines (secrets redacted)</source>
        <translation>Enregistrer les livraisons sélectionnées, ou toutes celles qui correspondent aux filtres, en HAR, CSV ou JSON Lines (secrets masqués)</translation>
    </message>
    <message>
        <source>Resend %1 Deliveries</source>
        <translation>Renvoyer %1 livraisons</translation>
    </message>
    <message>
        <source>HAR archive (*.har)</source>
        <translation>Archive HAR (*.har)</translation>
    </message>
    <message>
        <source>CSV spreadsheet (*.csv)</source>
        <translation>Feuille de calcul CSV (*.csv)</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl)</source>
        <translation>JSON Lines (*.jsonl)</translation>
    </message>
    <message>
        <source>Export Deliveries Matching the Filters</source>
        <translation>Exporter les livraisons correspondant aux filtres</translation>
    </message>
    <message>
        <source>Export Delivery %1</source>
        <translation>Exporter la livraison %1</translation>
    </message>
    <message>
        <source>Export %1 Selected Deliveries</source>
        <translation>Exporter les %1 livraisons sélectionnées</translation>
    </message>
    <message>
        <source>Export Deliveries</source>
        <translation>Exporter des livraisons</translation>
    </message>
    <message>
        <source>&amp;Resend %1 Selected</source>
        <translation>&amp;Renvoyer les %1 sélectionnées</translation>
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
        <translation>État du moteur</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>File d’attente</translation>
    </message>
    <message>
        <source>Your database role (support) may read, resend and test, but not change webhooks</source>
        <translation>Votre rôle de base de données (support) peut lire, renvoyer et tester, mais pas modifier les webhooks</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;Webhook</source>
        <translation>&amp;Webhook</translation>
    </message>
    <message>
        <source>&amp;Log</source>
        <translation>&amp;Journal</translation>
    </message>
    <message>
        <source>&amp;Engine</source>
        <translation>&amp;Moteur</translation>
    </message>
    <message>
        <source>&amp;Run Engine</source>
        <translation>&amp;Démarrer le moteur</translation>
    </message>
    <message>
        <source>Send due deliveries from this app (Ctrl+P pauses and resumes)</source>
        <translation>Envoyer les livraisons dues depuis cette application (Ctrl+P met en pause et reprend)</translation>
    </message>
    <message>
        <source>Viewer mode: another process (outhookd serve) sends the deliveries</source>
        <translation>Mode lecture : un autre processus (outhookd serve) envoie les livraisons</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>&amp;About Outhook</source>
        <translation>À &amp;propos d’Outhook</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Barre principale</translation>
    </message>
    <message>
        <source>Engine: %1</source>
        <translation>Moteur : %1</translation>
    </message>
    <message>
        <source>Viewer mode: another engine sends</source>
        <translation>Mode lecture : un autre moteur envoie</translation>
    </message>
    <message numerus="yes">
        <source>Engine running · %n in flight</source>
        <translation>
            <numerusform>Moteur en marche · %n en cours</numerusform>
            <numerusform>Moteur en marche · %n en cours</numerusform>
        </translation>
    </message>
    <message>
        <source>Engine paused</source>
        <translation>Moteur en pause</translation>
    </message>
    <message>
        <source>%1 due · %2 retrying later · %3 failed</source>
        <translation>%1 à envoyer · %2 à retenter · %3 en échec</translation>
    </message>
    <message>
        <source>Recover Failed Deliveries</source>
        <translation>Renvoyer les livraisons échouées</translation>
    </message>
    <message>
        <source>Send every failed delivery of this webhook again, created since:</source>
        <translation>Renvoyer toutes les livraisons échouées de ce webhook, créées depuis :</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Depuis</translation>
    </message>
    <message>
        <source>Recover</source>
        <translation>Renvoyer</translation>
    </message>
    <message>
        <source>Log History</source>
        <translation>Historique des journaux</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Santé</translation>
    </message>
    <message>
        <source>Settings saved. Team settings apply now; personal ones at the next start.</source>
        <translation>Paramètres enregistrés. Les paramètres d’équipe s’appliquent maintenant, les paramètres personnels au prochain démarrage.</translation>
    </message>
</context>
<context>
    <name>outhook::ui::NetworkPage</name>
    <message>
        <source>&amp;Add…</source>
        <translation>A&amp;jouter…</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Supprimer</translation>
    </message>
    <message>
        <source>A&amp;llow</source>
        <translation>Aut&amp;oriser</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>Su&amp;pprimer</translation>
    </message>
    <message>
        <source>Add CA Certificates</source>
        <translation>Ajouter des certificats d’AC</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>Certificats PEM (*.pem *.crt *.cer);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Add CA file</source>
        <translation>Ajouter un fichier d’AC</translation>
    </message>
    <message>
        <source>Remove CA file</source>
        <translation>Supprimer le fichier d’AC</translation>
    </message>
    <message>
        <source>10.0.0.0/8, 192.168.1.20 or fd00::/8</source>
        <translation>10.0.0.0/8, 192.168.1.20 ou fd00::/8</translation>
    </message>
    <message>
        <source>Private destination to allow</source>
        <translation>Destination privée à autoriser</translation>
    </message>
    <message>
        <source>Allow destination</source>
        <translation>Autoriser la destination</translation>
    </message>
    <message>
        <source>Remove allowed destination</source>
        <translation>Supprimer la destination autorisée</translation>
    </message>
    <message>
        <source>⚠ Warning: every range listed here can be reached by any webhook URL, including machines inside your network (databases, admin consoles, cloud metadata at 169.254.169.254). Allow only the ranges your receivers really live in.</source>
        <translation>⚠ Attention : toute plage listée ici est joignable par n’importe quelle URL de webhook, y compris les machines de votre réseau (bases de données, consoles d’administration, métadonnées cloud à 169.254.169.254). N’autorisez que les plages où se trouvent réellement vos destinataires.</translation>
    </message>
    <message>
        <source>Trusted in addition to the system&apos;s certificates, for receivers with a private CA. Applies after a restart; --ca-file adds more.</source>
        <translation>Approuvés en plus des certificats du système, pour les destinataires dotés d’une AC privée. S’applique après un redémarrage ; --ca-file en ajoute d’autres.</translation>
    </message>
    <message>
        <source>Extra &amp;CA files:</source>
        <translation>Fichiers d’A&amp;C supplémentaires :</translation>
    </message>
    <message>
        <source>Allowed &amp;private destinations:</source>
        <translation>Destinations pri&amp;vées autorisées :</translation>
    </message>
    <message>
        <source>%1 is not an address or a range like 10.0.0.0/8</source>
        <translation>%1 n’est ni une adresse ni une plage comme 10.0.0.0/8</translation>
    </message>
</context>
<context>
    <name>outhook::ui::PasswordLineEdit</name>
    <message>
        <source>Hide</source>
        <translation>Masquer</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Afficher</translation>
    </message>
    <message>
        <source>Hide the text</source>
        <translation>Masquer le texte</translation>
    </message>
    <message>
        <source>Show the text</source>
        <translation>Afficher le texte</translation>
    </message>
</context>
<context>
    <name>outhook::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>&amp;General</source>
        <translation>&amp;Général</translation>
    </message>
    <message>
        <source>&amp;Database</source>
        <translation>Base de &amp;données</translation>
    </message>
    <message>
        <source>&amp;Network</source>
        <translation>&amp;Réseau</translation>
    </message>
    <message>
        <source>&amp;Team</source>
        <translation>É&amp;quipe</translation>
    </message>
    <message>
        <source>Settings pages</source>
        <translation>Pages des paramètres</translation>
    </message>
    <message>
        <source>Save settings</source>
        <translation>Enregistrer les paramètres</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>no database is open</source>
        <translation>aucune base de données n’est ouverte</translation>
    </message>
    <message>
        <source>Nothing was saved: fix the field marked in red.</source>
        <translation>Rien n’a été enregistré : corrigez le champ signalé en rouge.</translation>
    </message>
    <message>
        <source>Nothing was saved: fix the %1 fields marked in red.</source>
        <translation>Rien n’a été enregistré : corrigez les %1 champs signalés en rouge.</translation>
    </message>
    <message>
        <source>Nothing was saved: %1</source>
        <translation>Rien n’a été enregistré : %1</translation>
    </message>
</context>
<context>
    <name>outhook::ui::TaskProgressDialog</name>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Démarrage…</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progression</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Temps restant</translation>
    </message>
    <message>
        <source>About 1 second left</source>
        <translation>Environ 1 seconde restante</translation>
    </message>
    <message>
        <source>About %1 seconds left</source>
        <translation>Environ %1 secondes restantes</translation>
    </message>
    <message>
        <source>About %1 min left</source>
        <translation>Environ %1 min restantes</translation>
    </message>
    <message>
        <source>About %1 h left</source>
        <translation>Environ %1 h restantes</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Cancelling after the current batch…</source>
        <translation>Annulation après le lot en cours…</translation>
    </message>
</context>
<context>
    <name>outhook::ui::TeamPage</name>
    <message>
        <source>Restore &amp;Defaults</source>
        <translation>Rétablir les valeurs par dé&amp;faut</translation>
    </message>
    <message>
        <source>No retries</source>
        <translation>Aucune nouvelle tentative</translation>
    </message>
    <message>
        <source>Delays before each retry, separated by commas: 30s, 5m, 2h or 1d</source>
        <translation>Délais avant chaque nouvelle tentative, séparés par des virgules : 30s, 5m, 2h ou 1d</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>A webhook whose deliveries keep failing this long is turned off: 12h, 5d, …</source>
        <translation>Un webhook dont les livraisons échouent pendant cette durée est désactivé : 12h, 5d, …</translation>
    </message>
    <message>
        <source> KiB</source>
        <translation> Kio</translation>
    </message>
    <message>
        <source>Response bodies are stored up to this size; the rest is cut off</source>
        <translation>Les corps de réponse sont stockés jusqu’à cette taille ; le reste est tronqué</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>Rétablir les valeurs par défaut</translation>
    </message>
    <message>
        <source>These settings are stored in the database and apply to everyone who uses it, including outhookd engines. They take effect at once.</source>
        <translation>Ces paramètres sont stockés dans la base de données et s’appliquent à tous ceux qui l’utilisent, y compris les moteurs outhookd. Ils prennent effet immédiatement.</translation>
    </message>
    <message>
        <source>Default &amp;retry delays:</source>
        <translation>Délais de rela&amp;nce par défaut :</translation>
    </message>
    <message>
        <source>Default &amp;timeout:</source>
        <translation>Délai d’&amp;attente par défaut :</translation>
    </message>
    <message>
        <source>&amp;Auto-disable after:</source>
        <translation>Désactiver auto&amp;matiquement après :</translation>
    </message>
    <message>
        <source>Response &amp;body cap:</source>
        <translation>Taille ma&amp;ximale du corps de réponse :</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <source>Could not read the team settings: %1</source>
        <translation>Impossible de lire les paramètres d’équipe : %1</translation>
    </message>
    <message>
        <source>Write delays separated by commas, like 30s, 5m, 2h or 1d</source>
        <translation>Indiquez des délais séparés par des virgules, comme 30s, 5m, 2h ou 1d</translation>
    </message>
    <message>
        <source>Write a duration like 12h or 5d</source>
        <translation>Indiquez une durée comme 12h ou 5d</translation>
    </message>
</context>
<context>
    <name>outhook::ui::TestSendDialog</name>
    <message>
        <source>Test Send</source>
        <translation>Envoi de test</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Response header</source>
        <translation>En-tête de réponse</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <source>Response headers</source>
        <translation>En-têtes de la réponse</translation>
    </message>
    <message>
        <source>Response body</source>
        <translation>Corps de la réponse</translation>
    </message>
    <message>
        <source>(empty body)</source>
        <translation>(corps vide)</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Envoi…</translation>
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
        <translation>Aucune réponse</translation>
    </message>
    <message>
        <source>%1 sample payload, %2 ms, delivery %3</source>
        <translation>Charge utile d’exemple %1, %2 ms, livraison %3</translation>
    </message>
    <message>
        <source>Signed: webhook-id, webhook-timestamp and webhook-signature were sent</source>
        <translation>Signée : webhook-id, webhook-timestamp et webhook-signature ont été envoyés</translation>
    </message>
    <message>
        <source>Not signed: no live signing secret</source>
        <translation>Non signée : aucun secret de signature actif</translation>
    </message>
    <message>
        <source>Error: %1 (%2)</source>
        <translation>Erreur : %1 (%2)</translation>
    </message>
    <message>
        <source>Body truncated at 64 KiB (full size %1 bytes)</source>
        <translation>Corps tronqué à 64 Kio (taille complète %1 octets)</translation>
    </message>
    <message>
        <source>Could not send</source>
        <translation>Envoi impossible</translation>
    </message>
</context>
<context>
    <name>outhook::ui::WebhookEditor</name>
    <message>
        <source>New Webhook</source>
        <translation>Nouveau webhook</translation>
    </message>
    <message>
        <source>Save webhook</source>
        <translation>Enregistrer le webhook</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Général</translation>
    </message>
    <message>
        <source>e.g. CRM sync</source>
        <translation>p. ex. synchro CRM</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Nom</translation>
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
        <translation>&amp;Actif : livrer les événements à ce point de terminaison</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actif</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Événements</translation>
    </message>
    <message>
        <source>Authentication</source>
        <translation>Authentification</translation>
    </message>
    <message>
        <source>Authentication type</source>
        <translation>Type d’authentification</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Aucune</translation>
    </message>
    <message>
        <source>Basic (user name and password)</source>
        <translation>Basic (nom d’utilisateur et mot de passe)</translation>
    </message>
    <message>
        <source>Bearer token</source>
        <translation>Jeton Bearer</translation>
    </message>
    <message>
        <source>&amp;Type</source>
        <translation>&amp;Type</translation>
    </message>
    <message>
        <source>Requests carry only the signature headers.</source>
        <translation>Les requêtes ne portent que les en-têtes de signature.</translation>
    </message>
    <message>
        <source>User na&amp;me</source>
        <translation>Nom d’utilisat&amp;eur</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Mot de passe</translation>
    </message>
    <message>
        <source>To&amp;ken</source>
        <translation>&amp;Jeton</translation>
    </message>
    <message>
        <source>Custom headers</source>
        <translation>En-têtes personnalisés</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>Livraison</translation>
    </message>
    <message>
        <source>No retries</source>
        <translation>Aucune nouvelle tentative</translation>
    </message>
    <message>
        <source>Delays before each retry, separated by commas: 30s, 5m, 2h or 1d. Default: %1</source>
        <translation>Délais avant chaque nouvelle tentative, séparés par des virgules : 30s, 5m, 2h ou 1d. Par défaut : %1</translation>
    </message>
    <message>
        <source>&amp;Retry delays</source>
        <translation>&amp;Délais de relance</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>How long to wait for the endpoint to answer each attempt</source>
        <translation>Durée d’attente de la réponse du point de terminaison à chaque tentative</translation>
    </message>
    <message>
        <source>T&amp;imeout</source>
        <translation>Dé&amp;lai d’attente</translation>
    </message>
    <message>
        <source>Signing secret</source>
        <translation>Secret de signature</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copier</translation>
    </message>
    <message>
        <source>Copy signing secret</source>
        <translation>Copier le secret de signature</translation>
    </message>
    <message>
        <source>R&amp;otate…</source>
        <translation>&amp;Renouveler…</translation>
    </message>
    <message>
        <source>Rotate signing secret</source>
        <translation>Renouveler le secret de signature</translation>
    </message>
    <message>
        <source>Make a new secret; the old one keeps signing for a grace period</source>
        <translation>Créer un nouveau secret ; l’ancien continue de signer pendant une période de grâce</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Secret</translation>
    </message>
    <message>
        <source>Old secret valid for</source>
        <translation>Ancien secret valide pendant</translation>
    </message>
    <message>
        <source>Grace period</source>
        <translation>Période de grâce</translation>
    </message>
    <message>
        <source>A duration such as 24h, 30m or 0 to drop the old secret at once</source>
        <translation>Une durée comme 24h, 30m, ou 0 pour abandonner l’ancien secret immédiatement</translation>
    </message>
    <message>
        <source>Rotate</source>
        <translation>Renouveler</translation>
    </message>
    <message>
        <source>Rotate now</source>
        <translation>Renouveler maintenant</translation>
    </message>
    <message>
        <source>Cancel rotation</source>
        <translation>Annuler le renouvellement</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Copié dans le presse-papiers.</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>inchangé</translation>
    </message>
    <message>
        <source>Could not save the webhook.</source>
        <translation>Impossible d’enregistrer le webhook.</translation>
    </message>
    <message>
        <source>New secret in place. Update the endpoint before the old one expires.</source>
        <translation>Nouveau secret en place. Mettez à jour le point de terminaison avant l’expiration de l’ancien.</translation>
    </message>
    <message>
        <source>Use durations separated by commas, like 5m,10m,20m (empty for no retries)</source>
        <translation>Indiquez des durées séparées par des virgules, comme 5m,10m,20m (vide pour aucune nouvelle tentative)</translation>
    </message>
    <message>
        <source>Fix these first:</source>
        <translation>Corrigez d’abord ceci :</translation>
    </message>
    <message>
        <source>Enter a duration such as 24h, 30m or 0.</source>
        <translation>Saisissez une durée comme 24h, 30m ou 0.</translation>
    </message>
    <message>
        <source>Rotating; the old secret stays valid for %1.</source>
        <translation>Renouvellement ; l’ancien secret reste valide pendant %1.</translation>
    </message>
    <message>
        <source>Rotating; the old secret stops working at once.</source>
        <translation>Renouvellement ; l’ancien secret cesse de fonctionner immédiatement.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Enregistrement…</translation>
    </message>
</context>
<context>
    <name>outhook::ui::WebhookListModel</name>
    <message>
        <source>Disabled: %1</source>
        <translation>Désactivé : %1</translation>
    </message>
    <message>
        <source>Active: click to deactivate</source>
        <translation>Actif : cliquer pour désactiver</translation>
    </message>
    <message>
        <source>Inactive: click to activate</source>
        <translation>Inactif : cliquer pour activer</translation>
    </message>
    <message>
        <source>1 event</source>
        <translation>1 événement</translation>
    </message>
    <message>
        <source>%1 events</source>
        <translation>%1 événements</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Oui</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Non</translation>
    </message>
    <message>
        <source>Turned off: %1</source>
        <translation>Désactivé : %1</translation>
    </message>
    <message>
        <source>Never sent</source>
        <translation>Jamais envoyé</translation>
    </message>
    <message>
        <source>OK %1</source>
        <translation>OK %1</translation>
    </message>
    <message>
        <source>Failed %1</source>
        <translation>Échec %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Événements</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actif</translation>
    </message>
    <message>
        <source>Last result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Failures</source>
        <translation>Échecs</translation>
    </message>
</context>
<context>
    <name>outhook::ui::WebhookListPanel</name>
    <message>
        <source>&amp;New Webhook…</source>
        <translation>&amp;Nouveau webhook…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Modifier…</translation>
    </message>
    <message>
        <source>D&amp;uplicate…</source>
        <translation>D&amp;upliquer…</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Supprimer</translation>
    </message>
    <message>
        <source>&amp;Test Send</source>
        <translation>Envoi de &amp;test</translation>
    </message>
    <message>
        <source>Send the sample payload of the webhook&apos;s first event type now</source>
        <translation>Envoyer maintenant la charge utile d’exemple du premier type d’événement du webhook</translation>
    </message>
    <message>
        <source>&amp;Recover Failed Since…</source>
        <translation>&amp;Renvoyer les échecs depuis…</translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation>Webhooks</translation>
    </message>
    <message>
        <source>No webhooks yet. Click &lt;b&gt;New Webhook&lt;/b&gt; to add the first endpoint.</source>
        <translation>Aucun webhook pour l’instant. Cliquez sur &lt;b&gt;Nouveau webhook&lt;/b&gt; pour ajouter le premier point de terminaison.</translation>
    </message>
    <message>
        <source>Copy of %1</source>
        <translation>Copie de %1</translation>
    </message>
    <message>
        <source>Edit Webhook</source>
        <translation>Modifier le webhook</translation>
    </message>
    <message>
        <source>New Webhook</source>
        <translation>Nouveau webhook</translation>
    </message>
    <message>
        <source>Saved webhook &quot;%1&quot;</source>
        <translation>Webhook « %1 » enregistré</translation>
    </message>
    <message>
        <source>Rotate Secret</source>
        <translation>Renouveler le secret</translation>
    </message>
    <message>
        <source>New signing secret for &quot;%1&quot;; the old one stays valid during the grace period</source>
        <translation>Nouveau secret de signature pour « %1 » ; l’ancien reste valide pendant la période de grâce</translation>
    </message>
    <message>
        <source>Delete Webhook</source>
        <translation>Supprimer le webhook</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot;?

Its delivery history is deleted too. This cannot be undone.</source>
        <translation>Supprimer « %1 » ?

Son historique de livraisons est également supprimé. Cette action est irréversible.</translation>
    </message>
    <message>
        <source>Deleted webhook &quot;%1&quot;</source>
        <translation>Webhook « %1 » supprimé</translation>
    </message>
    <message>
        <source>You may not change webhooks with this database account</source>
        <translation>Ce compte de base de données ne permet pas de modifier les webhooks</translation>
    </message>
    <message>
        <source>Change Webhook</source>
        <translation>Modifier le webhook</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is on</source>
        <translation>« %1 » est activé</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is off</source>
        <translation>« %1 » est désactivé</translation>
    </message>
</context>
</TS>
