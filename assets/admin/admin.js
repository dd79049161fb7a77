// Alpine.js components of the admin UI. The CSP build of Alpine evaluates no inline JavaScript: components are
// registered here and templates only name their properties and methods.
document.addEventListener('alpine:init', function () {
  var Alpine = window.Alpine;

  // Light/dark toggle, persisted in localStorage.
  Alpine.data('themeToggle', function () {
    return {
      dark: document.documentElement.classList.contains('dark'),
      toggle: function () {
        this.dark = !this.dark;
        document.documentElement.classList.toggle('dark', this.dark);
        try { localStorage.setItem('theme', this.dark ? 'dark' : 'light'); } catch (e) { /* storage disabled */ }
      },
      get label() { return this.dark ? 'Switch to light mode' : 'Switch to dark mode'; },
    };
  });

  // Mobile navigation.
  Alpine.data('nav', function () {
    return {
      open: false,
      toggle: function () { this.open = !this.open; },
      get expanded() { return this.open ? 'true' : 'false'; },
      get menuClass() { return this.open ? 'block' : 'hidden'; },
    };
  });

  // Copy-to-clipboard button; the text comes from the element named by data-copy-target.
  Alpine.data('copyButton', function () {
    return {
      copied: false,
      copy: function () {
        var target = document.getElementById(this.$el.dataset.copyTarget);
        var text = target ? target.textContent : '';
        var self = this;
        var done = function () { self.copied = true; setTimeout(function () { self.copied = false; }, 1500); };
        if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, done);
        else {
          var range = document.createRange();
          range.selectNodeContents(target);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          try { document.execCommand('copy'); } catch (e) { /* selection left for manual copy */ }
          done();
        }
      },
      get text() { return this.copied ? 'Copied' : 'Copy'; },
    };
  });

  // The search box of a picker: Enter searches now instead of submitting the surrounding form.
  Alpine.data('picker', function () {
    return {
      search: function () { if (window.htmx) window.htmx.trigger(this.$el, 'pickersearch'); },
    };
  });

  // Shows a form's fields marked data-show-if="<field>" data-show-values="A,B" only while <field> has one of those
  // values (and is itself shown). The server reads only the fields that apply, so this is presentation only.
  Alpine.data('conditionalFields', function () {
    return {
      init: function () {
        var form = this.$el;
        var apply = function () {
          var hidden = {};
          form.querySelectorAll('[data-field]').forEach(function (el) {
            var field = el.dataset.showIf;
            var visible = true;
            if (field) {
              var control = form.elements.namedItem(field);
              var value = control && 'value' in control ? control.value : '';
              visible = !hidden[field] && el.dataset.showValues.split(',').indexOf(value) >= 0;
            }
            el.hidden = !visible;
            if (!visible) hidden[el.dataset.field] = true;
          });
        };
        form.addEventListener('change', apply);
        apply();
        focusFirstProblem(form);
      },
    };
  });

  // A file input whose file is read in the browser into a hidden base64 field (data-target), so forms stay
  // url-encoded; the MIME type input (data-mime-target) is filled in when empty.
  Alpine.data('fileField', function () {
    return {
      status: '',
      read: function (event) {
        var input = event.target;
        var file = input.files && input.files[0];
        var target = document.getElementById(input.dataset.target);
        var self = this;
        if (!file || !target) { if (target) target.value = ''; self.status = ''; return; }
        var reader = new FileReader();
        reader.onload = function () {
          var url = String(reader.result);
          target.value = url.slice(url.indexOf(',') + 1);
          var mime = document.getElementById(input.dataset.mimeTarget);
          if (mime && !mime.value && file.type) mime.value = file.type;
          self.status = file.name + ' · ' + file.size + ' bytes' + (file.type ? ' · ' + file.type : '') + ' — ready to upload';
        };
        reader.onerror = function () { self.status = 'Could not read ' + file.name; };
        reader.readAsDataURL(file);
      },
    };
  });
});

// After a failed submit, focus goes to the first invalid field (or the form's error message), so keyboard and screen
// reader users land on what needs fixing.
function focusFirstProblem(form) {
  var invalid = form.querySelector('[aria-invalid="true"]');
  if (invalid && !invalid.closest('[hidden]')) {
    var target = invalid.tagName === 'FIELDSET' ? invalid.querySelector('input, select, textarea') : invalid;
    if (target) { target.focus(); return; }
  }
  var alert = form.querySelector('[data-testid="form-error"]');
  if (alert) { alert.setAttribute('tabindex', '-1'); alert.focus(); }
}

// Focus after a row action: a toggled row is replaced (focus goes to the same control of the new row); a deleted
// row is removed (focus goes to the next row's first link, else the previous row's, else the list itself) instead of
// falling back to the document body. The old row is detached by the swap, so its events no longer reach the
// document: the outcome is checked right after the swap instead.
(function () {
  var controls = function (row) { return Array.prototype.slice.call(row.querySelectorAll('a, button')); };
  document.addEventListener('htmx:beforeSwap', function (event) {
    var row = event.detail.target;
    if (!row || row.tagName !== 'TR' || !row.contains(document.activeElement)) return;
    var index = controls(row).indexOf(document.activeElement);
    var next = row.nextElementSibling || row.previousElementSibling;
    var list = row.closest('[data-focus-after-delete]');
    var tries = 0;
    var check = function () {
      if (row.isConnected) { if (++tries < 20) setTimeout(check, 25); return; }
      if (document.activeElement && document.activeElement !== document.body) return;
      var replaced = row.id ? document.getElementById(row.id) : null;
      var target = replaced ? controls(replaced)[index] : next && next.isConnected ? next.querySelector('a, button') : null;
      if (target) target.focus();
      else if (list) { list.setAttribute('tabindex', '-1'); list.focus(); }
    };
    setTimeout(check, 0);
  });
})();

// The flash area shows the error of the last htmx action; the next action starts with it empty.
document.addEventListener('htmx:beforeRequest', function () {
  var flash = document.getElementById('flash');
  if (flash && flash.firstChild) flash.innerHTML = '';
});
