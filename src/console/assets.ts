/**
 * The consoles' scripts, served from /console/assets/ so that the Content-Security-Policy can allow
 * scripts from this origin only (no inline script, no inline event handler).
 */
export const CONSOLE_ASSETS: Record<string, string> = {
  /** Forms with data-confirm ask before they are sent (下架…). */
  'confirm.js': `document.addEventListener('submit', (e) => {
  const form = e.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !confirm(form.dataset.confirm)) e.preventDefault();
}, true);`,
  /** The case page: the canned-reply picker fills the reply box; the thread is re-fetched every 2.5 s. */
  'case.js': `(() => {
  const canned = document.getElementById('canned'), body = document.getElementById('body');
  if (canned && body) canned.addEventListener('change', () => { if (canned.value) { body.value = canned.value; body.focus(); } });
  const box = document.getElementById('thread'); if (!box) return;
  const atBottom = () => box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
  box.scrollTop = box.scrollHeight;
  let last = null, busy = false;
  const timer = setInterval(async () => {
    if (busy || document.hidden) return; busy = true;
    try {
      const res = await fetch('/console/cases/' + encodeURIComponent(box.dataset.case) + '/thread', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (res.status === 401 || res.status === 403) {
        clearInterval(timer);
        box.insertAdjacentHTML('beforebegin', '<p class="error" role="alert">' + (res.status === 401 ? '登入已過期，請重新整理頁面並登入。' : '這個案件已改派給其他人，對話不再更新。') + '</p>');
        return;
      }
      if (!res.ok) return;
      const data = await res.json();
      if (data.html !== last) { const stick = atBottom(); box.innerHTML = data.html; last = data.html; if (stick) box.scrollTop = box.scrollHeight; }
      const badge = document.querySelector('.case-status'); if (badge && data.statusLabel) badge.textContent = data.statusLabel;
    } catch { /* offline for a moment: the next tick tries again */ } finally { busy = false; }
  }, 2500);
})();`,
  /** The re-index job page: polls the job's progress. */
  'job.js': `const bar=document.getElementById('bar'),label=document.getElementById('label');
async function poll(){
  const r=await fetch(location.pathname+'/status',{headers:{accept:'application/json'}});
  if(!r.ok){label.textContent='無法讀取進度（'+r.status+'）';return}
  const j=await r.json();const pct=j.total?Math.round(j.done*100/j.total):0;
  bar.style.width=pct+'%';bar.parentElement.setAttribute('aria-valuenow',String(pct));
  if(j.status==='running'){label.textContent=(j.done<j.total?'建立索引中…':'寫入索引中…')+j.done+' / '+j.total+' 份文件';setTimeout(poll,500)}
  else if(j.status==='done'){label.textContent='完成：'+j.total+' 份文件，耗時 '+j.seconds+' 秒';label.dataset.state='done'}
  else{label.textContent='失敗，線上索引維持原狀：'+(j.error||'');label.dataset.state='failed'}
}
poll();`,
}
