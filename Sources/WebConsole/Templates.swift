import Mustache

/// The console's pages. Every value from a message or a request goes through `{{ }}`, which
/// HTML-escapes `< > & " '`; the one `{{{ }}}` is `layout`'s `body`: a page these templates
/// rendered, already escaped. No page has a script, an inline style or a remote resource.
enum Templates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in sources {
            // The templates are constants of this file; a parse error is a bug the unit tests catch.
            if let template = try? MustacheTemplate(string: text) { library.register(template, named: name) }
        }
        return library
    }()

    static let sources: [String: String] = [
        "layout": layout, "login": login, "list": list, "message": message, "audit": audit, "link": link, "notice": notice,
    ]

    static let layout = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>{{title}} · scanmilter quarantine</title>
        <link rel="stylesheet" href="/static/console.css"></head>
        <body><header><a class="brand" href="/">scanmilter quarantine</a>
        {{#user}}<nav><a href="/">Messages</a> <a href="/audit">Audit log</a>
        <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <span class="who">{{user}}</span> <button type="submit">Sign out</button></form></nav>{{/user}}
        </header><main>{{{body}}}</main>
        <footer>scanmilter {{version}}</footer></body></html>
        """

    static let login = """
        <h1>Sign in</h1>
        {{#error}}<p class="error" id="error">{{error}}</p>{{/error}}
        <form method="post" action="/login" class="login">
        <input type="hidden" name="form" value="{{form}}">
        <label>User <input name="user" id="user" autocomplete="username" required autofocus></label>
        <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
        <button type="submit" id="sign-in">Sign in</button></form>
        """

    static let list = """
        <h1>Held and past messages <small>{{total}} found</small></h1>
        <form method="get" action="/" class="search" id="search">
        <input name="q" id="q" value="{{query.q}}" placeholder="Search id, sender, recipient, subject, finding">
        <details {{#advanced}}open{{/advanced}}><summary>More filters</summary>
        <label>Sender <input name="sender" value="{{query.sender}}"></label>
        <label>Recipient <input name="recipient" value="{{query.recipient}}"></label>
        <label>Subject <input name="subject" value="{{query.subject}}"></label>
        <label>Virus or rule <input name="finding" value="{{query.finding}}"></label>
        <label>Verdict <input name="verdict" value="{{query.verdict}}"></label>
        <label>Host <input name="host" value="{{query.host}}"></label>
        <label>From <input name="since" type="date" value="{{query.since}}"></label>
        <label>Until <input name="until" type="date" value="{{query.until}}"></label>
        </details>
        <label>Status <select name="status">{{#statuses}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/statuses}}</select></label>
        <button type="submit" id="search-button">Search</button></form>
        {{#notice}}<p class="notice" id="notice">{{notice}}</p>{{/notice}}
        <form method="post" action="/bulk" id="bulk">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <table class="entries"><thead><tr><th></th>
        {{#columns}}<th><a href="{{href}}">{{label}}{{#arrow}} {{arrow}}{{/arrow}}</a></th>{{/columns}}
        <th>Recipients</th><th>Findings</th></tr></thead><tbody>
        {{#entries}}<tr class="status-{{status}}"><td><input type="checkbox" name="id" value="{{id}}" aria-label="select {{id}}"></td>
        <td><a href="/messages/{{id}}" class="open">{{received}}</a></td><td>{{sender}}</td><td class="subject"><a href="/messages/{{id}}">{{subject}}</a></td>
        <td>{{size}}</td><td>{{verdict}}</td><td>{{status}}</td><td>{{host}}</td><td>{{recipients}}</td><td>{{findings}}</td></tr>{{/entries}}
        {{^entries}}<tr><td colspan="10">Nothing matches.</td></tr>{{/entries}}
        </tbody></table>
        <div class="bulk"><label>Reason <input name="reason" placeholder="for the audit log"></label>
        <label><input type="checkbox" name="force" value="1"> release even if the rescan finds something (needs a reason)</label>
        <button name="action" value="release" type="submit">Release selected</button>
        <button name="action" value="delete" type="submit" class="danger">Delete selected</button></div></form>
        <nav class="pages">{{#previous}}<a href="{{previous}}" rel="prev">← Previous</a>{{/previous}} <span>{{range}}</span> {{#next}}<a href="{{next}}" rel="next" id="next">Next →</a>{{/next}}</nav>
        """

    static let message = """
        <p><a href="/">← All messages</a></p>
        <h1 id="subject">{{entry.subject}}</h1>
        {{#notice}}<p class="notice" id="notice">{{notice}}</p>{{/notice}}
        <section class="facts"><dl>
        <dt>Id</dt><dd><code>{{entry.id}}</code></dd>
        <dt>Received</dt><dd>{{entry.received}}</dd>
        <dt>Status</dt><dd id="status">{{entry.status}}{{#entry.statusReason}} — {{entry.statusReason}}{{/entry.statusReason}}</dd>
        <dt>Verdict</dt><dd>{{entry.verdict}}</dd>
        <dt>Findings</dt><dd>{{entry.findings}}</dd>
        <dt>Envelope sender</dt><dd id="sender">{{entry.sender}}</dd>
        <dt>Envelope recipients</dt><dd>{{entry.recipients}}</dd>
        <dt>Client</dt><dd>{{entry.client}}</dd>
        <dt>Queue id · host</dt><dd>{{entry.queueID}} · {{entry.host}}</dd>
        <dt>Size · SHA-256</dt><dd>{{entry.size}} bytes · <code>{{entry.sha256}}</code></dd>
        <dt>Signatures</dt><dd>{{entry.signatureVersion}}</dd>
        </dl></section>
        {{#held}}<section class="actions"><h2>Release or delete</h2>
        <form method="post" action="/messages/{{entry.id}}/release" id="release-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <p>The message is scanned again with the current signatures before it goes out.</p>
        <label>To <input name="to" id="release-to" placeholder="original recipients (or other addresses, comma-separated)"></label>
        <label>Reason <input name="reason" id="release-reason" placeholder="required to release anyway"></label>
        <label><input type="checkbox" name="force" value="1" id="release-force"> release even if the rescan finds something</label>
        <button type="submit" id="release">Release</button></form>
        <form method="post" action="/messages/{{entry.id}}/delete" id="delete-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Reason <input name="reason" placeholder="for the audit log"></label>
        <button type="submit" class="danger" id="delete">Delete</button></form></section>{{/held}}
        {{#raw}}<p><a href="/messages/{{entry.id}}/raw" id="download" download>Download the raw message</a> (as an attachment; open it only somewhere safe)</p>{{/raw}}
        {{#error}}<p class="error">{{error}}</p>{{/error}}
        {{#parsed}}
        <h2>Headers</h2><table class="headers">{{#headers}}<tr><th>{{name}}</th><td>{{value}}</td></tr>{{/headers}}</table>
        <h2>MIME structure</h2><table class="parts"><thead><tr><th>Part</th><th>Declared type</th><th>Detected type</th><th>File name</th><th>Disposition</th><th>Encoding</th><th>Size</th><th>Defects</th></tr></thead><tbody>
        {{#parts}}<tr><td class="path">{{indent}}{{path}}</td><td>{{declared}}</td><td>{{detected}}</td><td class="filename">{{filename}}</td><td>{{disposition}}</td><td>{{encoding}}</td><td>{{size}}</td><td>{{defects}}</td></tr>{{/parts}}
        </tbody></table>
        <h2>Text</h2>{{#texts}}<h3>Part {{path}} ({{type}}){{#truncated}}, first {{shown}} characters{{/truncated}}</h3><pre class="text">{{text}}</pre>{{/texts}}
        {{^texts}}<p>No text parts.</p>{{/texts}}
        {{/parsed}}
        <h2>History</h2><table class="audit"><thead><tr><th>When</th><th>Who</th><th>What</th><th>From</th><th>Detail</th></tr></thead><tbody>
        {{#history}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{origin}}</td><td>{{detail}}</td></tr>{{/history}}</tbody></table>
        """

    static let audit = """
        <h1>Audit log</h1>
        <form method="get" action="/audit" class="search"><label>Actor <input name="actor" value="{{actor}}"></label>
        <label>Entry id <input name="entry" value="{{entryID}}"></label><button type="submit">Filter</button></form>
        <table class="audit"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Entry</th><th>From</th><th>Detail</th></tr></thead><tbody>
        {{#records}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{#entry}}<a href="/messages/{{entry}}">{{entry}}</a>{{/entry}}</td><td>{{origin}}</td><td>{{detail}}</td></tr>{{/records}}
        </tbody></table>
        <nav class="pages">{{#previous}}<a href="{{previous}}">← Newer</a>{{/previous}} {{#next}}<a href="{{next}}">Older →</a>{{/next}}</nav>
        """

    static let link = """
        <h1>{{heading}}</h1>
        <section class="facts"><dl><dt>From</dt><dd>{{sender}}</dd><dt>Subject</dt><dd>{{subject}}</dd>
        <dt>Received</dt><dd>{{received}}</dd><dt>Why it was held</dt><dd>{{verdict}}: {{findings}}</dd></dl></section>
        <form method="post" action="/link" id="link-form">
        {{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}
        <button type="submit" id="confirm">{{button}}</button></form>
        """

    static let notice = """
        <h1 id="heading">{{heading}}</h1><p id="text">{{text}}</p>
        {{#back}}<p><a href="{{back}}">Back</a></p>{{/back}}
        """
}
