/// The console's only stylesheet, served from `/static/console.css` (the CSP allows styles
/// from the console itself and nothing else).
enum Stylesheet {
    static let css = """
        :root { --ink: #1d2330; --muted: #5b6473; --line: #d9dee7; --accent: #1f5fbf; --bad: #b3261e; --bg: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
        header { display: flex; justify-content: space-between; align-items: center; padding: .6rem 1.2rem; background: #1d2330; color: #fff; }
        header a { color: #fff; text-decoration: none; margin-right: 1rem; }
        header .brand { font-weight: 600; }
        header .who { color: #c9d1e0; }
        main { padding: 1rem 1.2rem; max-width: 1400px; }
        footer { padding: 1rem 1.2rem; color: var(--muted); font-size: 12px; }
        h1 { font-size: 1.35rem; overflow-wrap: anywhere; } h1 small { color: var(--muted); font-weight: normal; font-size: .9rem; }
        h2 { font-size: 1.1rem; margin-top: 1.6rem; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
        th { white-space: nowrap; } td.subject { overflow-wrap: anywhere; }
        th a { color: var(--ink); }
        tr.status-released td, tr.status-deleted td { color: var(--muted); }
        form.inline { display: inline; }
        .search, .bulk, .actions form, .login { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .6rem 0; }
        .login { flex-direction: column; align-items: start; max-width: 20rem; }
        details { width: 100%; } details label { margin-right: .6rem; }
        input, select, button { font: inherit; padding: .3rem .45rem; }
        #q { min-width: 28rem; }
        button { background: var(--accent); color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
        button.danger { background: var(--bad); }
        header button { background: transparent; border: 1px solid #8390a8; }
        .error { color: var(--bad); font-weight: 600; } .notice { background: #e8f0fd; padding: .5rem; border-left: 4px solid var(--accent); }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; padding: .8rem; }
        dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
        pre.text { white-space: pre-wrap; background: #fff; border: 1px solid var(--line); padding: .7rem; max-height: 30rem; overflow: auto; }
        .pages { margin: .8rem 0; }
        """
}
