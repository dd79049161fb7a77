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
