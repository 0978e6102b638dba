/**
 * The page ws-server sends a browser for `GET /`: self-contained (no external script, style or
 * font), it opens a WebSocket back to the host it came from and shows what is sent and received.
 * Its words come from the caller (the catalogue), HTML-escaped here.
 */
export interface PageWords {
  title: string
  intro: string
  send: string
  connecting: string
  open: string
  closed: string
  sent: string
  received: string
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

export const wsPage = (w: PageWords, lang: string): string => {
  // The words reach the script as JSON; `<` is escaped so no word can end the script element.
  const words = JSON.stringify(w).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><title>${escapeHtml(w.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:48em;margin:2em auto;padding:0 1em}
#log{border:1px solid #999;height:20em;overflow:auto;padding:.5em;font-family:monospace;white-space:pre-wrap}
.in{color:#063}.out{color:#036}.ev{color:#777}</style></head>
<body><h1>${escapeHtml(w.title)}</h1><p>${escapeHtml(w.intro)}</p>
<div id="log"></div>
<form id="f"><input id="m" autocomplete="off" size="50" autofocus> <button>${escapeHtml(w.send)}</button></form>
<script>
const W = ${words}
const log = document.getElementById('log')
const add = (cls, text) => { const d = document.createElement('div'); d.className = cls; d.textContent = text; log.appendChild(d); log.scrollTop = log.scrollHeight }
const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/')
add('ev', W.connecting)
ws.onopen = () => add('ev', W.open)
ws.onclose = e => add('ev', W.closed + ' ' + e.code + (e.reason ? ' ' + e.reason : ''))
ws.onmessage = e => add('in', W.received + ': ' + (typeof e.data === 'string' ? e.data : '[binary]'))
document.getElementById('f').onsubmit = e => {
  e.preventDefault()
  const m = document.getElementById('m')
  if (ws.readyState === 1 && m.value !== '') { ws.send(m.value); add('out', W.sent + ': ' + m.value); m.value = '' }
}
</script></body></html>
`
}
