// Upload with drag and drop and a progress bar, through the API (the session's CSRF token in a header).
// Plain ES5 (no arrow functions, no fetch streams) so the 360/QQ browsers' older Chromium cores run it;
// without script the form still posts to /upload.
(function () {
  var form = document.getElementById('upload');
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var drop = document.getElementById('drop');
  var input = document.getElementById('file');
  var chosen = document.getElementById('chosen');
  var bar = document.getElementById('progress');
  var fill = bar.querySelector('.fill');
  var label = bar.querySelector('.label');
  var refusal = document.getElementById('refusal');
  var button = document.getElementById('send');
  var dropped = null;
  form.noValidate = true;  // a dropped file is not in the input: the script checks for a file itself

  function show(file) { chosen.textContent = file ? file.name : ''; }
  input.addEventListener('change', function () { dropped = null; show(input.files[0]); });
  ['dragenter', 'dragover'].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.className = 'drop over'; });
  });
  ['dragleave', 'drop'].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.className = 'drop'; });
  });
  drop.addEventListener('drop', function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) { dropped = e.dataTransfer.files[0]; show(dropped); }
  });

  function fail(line) {
    refusal.textContent = form.getAttribute('data-failed') + line;  // the label ends with its own colon
    refusal.hidden = false;
    bar.hidden = true;
    button.disabled = false;
  }

  form.addEventListener('submit', function (e) {
    var file = dropped || input.files[0];
    e.preventDefault();
    if (!file) { drop.className = 'drop over'; input.focus(); return; }
    var data = new FormData();
    data.append('file', file, file.name);
    var asOf = form.querySelector('input[name=as_of]').value;
    if (asOf) { data.append('as_of', asOf); }
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/books');
    xhr.setRequestHeader('X-CSRF-Token', form.getAttribute('data-csrf'));
    refusal.hidden = true;
    bar.hidden = false;
    button.disabled = true;
    label.textContent = form.getAttribute('data-sending');
    xhr.upload.onprogress = function (p) {
      if (p.lengthComputable) {
        var pct = Math.round(p.loaded * 100 / p.total);
        fill.style.width = pct + '%';
        label.textContent = form.getAttribute('data-sending') + ' ' + pct + '%';
        if (pct >= 100) { label.textContent = form.getAttribute('data-working'); }
      }
    };
    xhr.upload.onload = function () { fill.style.width = '100%'; label.textContent = form.getAttribute('data-working'); };
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
      if (xhr.status === 201 && body && body.id) { window.location.href = '/books/' + body.id; return; }
      fail(body && body.error ? body.error : ('HTTP ' + xhr.status));
    };
    xhr.onerror = function () { fail('HTTP ' + (xhr.status || '—')); };
    xhr.send(data);
  });
}());
