// Initialise every GOV.UK Frontend component on the page. Loaded by
// templates/layouts/base.html as <script type="module" nonce="...">, so the
// page needs no inline script beyond the js-enabled snippet.
import { initAll } from './govuk-frontend.min.js'

initAll()
