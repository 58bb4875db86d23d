// The guide's recommendation takes the focus once it is there, so a screen reader reads it
// and, on a phone, where it sits below the questions, it is on screen: otherwise nothing
// seems to happen when the form is sent.
document.getElementById("result")?.focus();
