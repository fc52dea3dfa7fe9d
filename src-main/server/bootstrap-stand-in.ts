/**
 * Seed 002's login page links Bootstrap 3.3.7 from its own site's static folder.
 * The page is served verbatim, so that link is answered here with a small
 * stand-in covering the classes the page uses (not Bootstrap itself: 146 KB of
 * someone else's release for one form), instead of a JSON 404 the browser
 * refuses as a stylesheet.
 */
export const BOOTSTRAP_PATH = '/static/bootstrap-3.3.7/css/bootstrap.css';

export const BOOTSTRAP_STAND_IN = Buffer.from(`/* Captcha Studio: a stand-in for Bootstrap 3.3.7, covering only what examples/seed-002.html uses. */
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font: 14px/1.43 "Helvetica Neue", Helvetica, Arial, sans-serif; color: #333; background: #fff; }
.container { max-width: 1170px; margin: 0 auto; padding: 20px 15px; }
.row { display: flex; flex-wrap: wrap; margin: 0 -15px; }
[class*="col-md-"] { width: 100%; padding: 0 15px; }
@media (min-width: 992px) {
  .col-md-6 { width: 50%; }
  .col-md-offset-3 { margin-left: 25%; }
}
.form-group { margin-bottom: 15px; }
label { display: inline-block; margin-bottom: 5px; font-weight: 700; }
.form-control { display: block; width: 100%; height: 34px; padding: 6px 12px; font: inherit; color: #555; background: #fff; border: 1px solid #767676; border-radius: 4px; }
.form-control:focus { border-color: #66afe9; outline: 2px solid #66afe9; outline-offset: 0; }
img { vertical-align: middle; max-width: 100%; }
.btn { display: inline-block; padding: 6px 12px; font: inherit; line-height: 1.43; border: 1px solid transparent; border-radius: 4px; cursor: pointer; }
.btn-default { color: #333; background: #fff; border-color: #767676; }
.btn-default:hover, .btn-default:focus { background: #e6e6e6; }
.pull-right { float: right; }
`);
