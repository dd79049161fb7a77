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
});
