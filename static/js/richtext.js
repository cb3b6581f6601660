// A small rich-text editor for document drafts. It enhances every
// <textarea data-richtext>: a toolbar and an editable area write HTML into
// the (hidden) textarea. Without this script the textarea is used as is.
// The server sanitises whatever arrives, so this is about comfort only.
(function () {
  "use strict";

  var lang = (document.documentElement.lang || "sv").slice(0, 2);
  var TEXT = {
    sv: {
      toolbar: "Formatering",
      bold: "Fetstil",
      italic: "Kursiv",
      heading: "Rubrik",
      subheading: "Underrubrik",
      paragraph: "Brödtext",
      bullets: "Punktlista",
      numbers: "Numrerad lista",
      link: "Länk",
      linkPrompt: "Adress (https://…) för länken:",
      badLink: "Länken måste börja med https://, http:// eller mailto:",
    },
    en: {
      toolbar: "Formatting",
      bold: "Bold",
      italic: "Italic",
      heading: "Heading",
      subheading: "Subheading",
      paragraph: "Body text",
      bullets: "Bulleted list",
      numbers: "Numbered list",
      link: "Link",
      linkPrompt: "Address (https://…) for the link:",
      badLink: "The link must start with https://, http:// or mailto:",
    },
  }[lang === "en" ? "en" : "sv"];

  var BUTTONS = [
    ["bold", "bold", null, "B"],
    ["italic", "italic", null, "I"],
    ["heading", "formatBlock", "h2", "H2"],
    ["subheading", "formatBlock", "h3", "H3"],
    ["paragraph", "formatBlock", "p", "¶"],
    ["bullets", "insertUnorderedList", null, "•"],
    ["numbers", "insertOrderedList", null, "1."],
    ["link", "createLink", null, "🔗"],
  ];

  function enhance(textarea) {
    var label = document.querySelector("label[for='" + textarea.id + "']");
    if (label && !label.id) {
      label.id = textarea.id + "_label";
    }
    var toolbar = document.createElement("div");
    toolbar.className = "richtext-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", TEXT.toolbar);
    toolbar.setAttribute("aria-controls", textarea.id + "_editor");

    var editor = document.createElement("div");
    editor.id = textarea.id + "_editor";
    editor.className = "form-control richtext-editor";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    if (label) {
      editor.setAttribute("aria-labelledby", label.id);
    }
    var described = textarea.getAttribute("aria-describedby");
    if (described) {
      editor.setAttribute("aria-describedby", described);
    }
    if (textarea.getAttribute("aria-invalid")) {
      editor.setAttribute("aria-invalid", "true");
    }
    editor.innerHTML = textarea.value;

    function sync() {
      textarea.value = editor.innerHTML;
    }

    BUTTONS.forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-secondary";
      button.setAttribute("aria-label", TEXT[spec[0]]);
      button.title = TEXT[spec[0]];
      button.textContent = spec[3];
      button.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the selection in the editor
      });
      button.addEventListener("click", function () {
        editor.focus();
        if (spec[1] === "createLink") {
          var url = window.prompt(TEXT.linkPrompt, "https://");
          if (!url) {
            return;
          }
          if (!/^(https?:\/\/|mailto:)/i.test(url)) {
            window.alert(TEXT.badLink);
            return;
          }
          document.execCommand("createLink", false, url);
        } else {
          document.execCommand(spec[1], false, spec[2]);
        }
        sync();
      });
      toolbar.appendChild(button);
    });

    editor.addEventListener("input", sync);
    if (textarea.form) {
      textarea.form.addEventListener("submit", sync);
    }
    textarea.hidden = true;
    textarea.parentNode.insertBefore(toolbar, textarea);
    textarea.parentNode.insertBefore(editor, textarea);
    // Links in the error summary point at the textarea: send them to the editor.
    textarea.addEventListener("focus", function () {
      editor.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    try {
      document.execCommand("defaultParagraphSeparator", false, "p");
    } catch (e) {
      // Older browsers: paragraphs become <div>, which the server removes but keeps the text of.
    }
    document.querySelectorAll("textarea[data-richtext]").forEach(enhance);
  });
})();
