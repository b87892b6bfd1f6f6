// The Tributary console: the buffer's streams, live from /console/feed (Server-Sent Events), and
// a player for the selected one. Plain browser JavaScript, no build step; hls.js is loaded before.

(() => {
  const state = { streams: [], selected: decodeURIComponent(location.hash.slice(1)) || null };
  let hls = null;
  let playing = null;

  const $ = (id) => document.getElementById(id);
  const keyOf = (s) => `${s.namespace}/${s.name}`;

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  function sparkline(values) {
    const svgNs = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', `0 0 ${Math.max(values.length - 1, 1)} 100`);
    svg.setAttribute('preserveAspectRatio', 'none');
    const max = Math.max(1, ...values);
    const line = document.createElementNS(svgNs, 'polyline');
    line.setAttribute('points', values.map((v, i) => `${i},${100 - (v / max) * 95}`).join(' '));
    line.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.append(line);
    const title = document.createElementNS(svgNs, 'title');
    title.textContent = `now ${values.at(-1) ?? 0} kbit/s, peak ${max} kbit/s`;
    svg.append(title);
    return svg;
  }

  /** The chart starts where media started, so a young stream's line fills the width. */
  function sinceFirstMedia(values) {
    const first = values.findIndex((v) => v > 0);
    return first < 0 ? values.slice(-2) : values.slice(Math.min(first, values.length - 2));
  }

  const phaseBadge = (phase) => el('span', { class: `phase phase-${phase}` }, phase);
  const inputLabel = (s) => (s.activeInput === null ? '–' : String(s.activeInput));

  function renderList() {
    const body = $('streams').tBodies[0];
    body.replaceChildren(
      ...state.streams.map((s) => {
        const row = el(
          'tr',
          { 'data-stream': keyOf(s), 'data-phase': s.phase },
          el('td', {}, keyOf(s)),
          el('td', { class: 'phase-cell' }, phaseBadge(s.phase)),
          el('td', { class: 'input-cell' }, inputLabel(s)),
          el(
            'td',
            { class: 'bitrate-cell' },
            sparkline(sinceFirstMedia(s.bitrateKbps)),
            ` ${s.bitrateKbps.at(-1) ?? 0}`,
          ),
          el('td', { class: 'failovers-cell' }, String(s.failovers)),
          el('td', {}, String(s.buffer?.lost ?? 0)),
        );
        if (keyOf(s) === state.selected) row.classList.add('selected');
        row.addEventListener('click', () => select(keyOf(s)));
        return row;
      }),
    );
    $('empty').hidden = state.streams.length > 0;
  }

  function renderDetail() {
    const s = state.streams.find((candidate) => keyOf(candidate) === state.selected);
    $('detail').hidden = s === undefined;
    if (s === undefined) return;
    $('detail').dataset.stream = keyOf(s);
    $('detail').dataset.activeInput = inputLabel(s);
    $('detail-name').replaceChildren(`${keyOf(s)} `, phaseBadge(s.phase));
    $('detail-message').textContent = s.degraded ?? s.message;
    const hlsUrl = `/${s.namespace}/${s.name}/index.m3u8`;
    const tsUrl = `/${s.namespace}/${s.name}.ts`;
    for (const [id, url] of [
      ['hls-url', hlsUrl],
      ['ts-url', tsUrl],
    ]) {
      $(id).href = url;
      $(id).textContent = new URL(url, location.href).href;
    }
    $('publish').hidden = s.publish === null;
    $('publish-urls').replaceChildren(
      ...Object.entries(s.publish ?? {}).map(([protocol, url]) =>
        el('li', {}, `${protocol.toUpperCase()}: ${url}`),
      ),
    );
    $('inputs').tBodies[0].replaceChildren(
      ...s.inputs.map((input) =>
        el(
          'tr',
          { 'data-priority': String(input.priority), 'data-state': input.state },
          el('td', {}, String(input.priority)),
          el('td', {}, input.url),
          el('td', {}, input.state),
          el('td', {}, String(input.bitrateKbps)),
          el(
            'td',
            { class: 'errors' },
            ...input.errors.slice(0, 3).map((e) => el('div', {}, `${e.at.slice(11, 19)} ${e.message}`)),
          ),
        ),
      ),
    );
    $('switches').replaceChildren(
      ...s.switches.map((sw) =>
        el(
          'li',
          { 'data-to': String(sw.to) },
          `${sw.at.slice(11, 19)} ${sw.from < 0 ? 'start' : `input ${sw.from}`} → input ${sw.to}: ${sw.reason}${sw.detail ? ` (${sw.detail})` : ''}`,
        ),
      ),
    );
    $('events').replaceChildren(
      ...s.events
        .slice()
        .reverse()
        .map((e) =>
          el('li', { 'data-type': e.type }, `${e.at.slice(11, 19)} ${e.type} ${JSON.stringify(e.payload)}`),
        ),
    );
    play(s, hlsUrl);
  }

  function play(s, url) {
    if (playing === keyOf(s) || s.buffer === null) return;
    playing = keyOf(s);
    const video = $('player');
    hls?.destroy();
    hls = null;
    if (window.Hls?.isSupported()) {
      // No liveSync* option: any of them overrides the playlist's PART-HOLD-BACK (1.5 s) with whole
      // segments (4 s); a faster rate lets the player catch up to it after a late start or a stall.
      hls = new window.Hls({ lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5 });
      hls.on(window.Hls.Events.ERROR, (_event, data) => {
        if (data.fatal) {
          // A playlist that is not there yet, or a broken segment: start over from the live edge.
          playing = null;
          setTimeout(renderDetail, 2000);
        }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
      // For measurements from outside (the buffer-latency bench reads its latency and playingDate).
      window.tributaryPlayer = hls;
    } else {
      video.src = url;
    }
    video.play().catch(() => {});
  }

  function select(key) {
    state.selected = key;
    history.replaceState(null, '', `#${encodeURIComponent(key)}`);
    render();
  }

  function render() {
    if (state.selected === null && state.streams.length > 0) state.selected = keyOf(state.streams[0]);
    renderList();
    renderDetail();
  }

  const feed = new EventSource('/console/feed');
  feed.addEventListener('streams', (event) => {
    state.streams = JSON.parse(event.data);
    render();
  });
  feed.addEventListener('open', () => {
    $('connection').textContent = 'live';
  });
  feed.addEventListener('error', () => {
    $('connection').textContent = 'reconnecting…';
  });
})();
