// Every page's header: the console's name and pages (the current one marked) before what the page
// puts there itself, and the log-out button after.
const PAGES = [['/', 'Taxonomy'], ['/destinations', 'Destinations'], ['/deadletters', 'Dead letters'], ['/visitors', 'Visitors'], ['/replay', 'Replay']];
const header = document.querySelector('header');
const nav = document.createElement('nav');
for (const [path, name] of PAGES) {
  const link = Object.assign(document.createElement('a'), { href: path, textContent: name });
  if (location.pathname === path) link.className = 'active';
  nav.append(link);
}
const logOut = Object.assign(document.createElement('form'), { method: 'post', action: '/logout' });
logOut.append(Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Log out' }));
header.prepend(Object.assign(document.createElement('strong'), { textContent: 'DMP console' }), nav);
header.append(logOut);
