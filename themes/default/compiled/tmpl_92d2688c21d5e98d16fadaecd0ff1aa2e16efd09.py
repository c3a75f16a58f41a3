# Made by `python -m mdpm.render` from the default theme's _header.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_header.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_root = resolve('root')
    l_0_site = resolve('site')
    l_0_nav = resolve('nav')
    pass
    yield '<a class="skip-link" href="#main">Skip to content</a>\n<header class="site-header">\n  <div class="wrap header-inner">\n    <a class="brand" href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'index.html"><span class="brand-mark" aria-hidden="true"></span>'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'title'))
    yield '</a>\n    <nav class="site-nav" aria-label="Main">\n      <ul>\n'
    for l_1_link in (undefined(name='nav') if l_0_nav is missing else l_0_nav):
        _loop_vars = {}
        pass
        yield '        <li><a href="'
        yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
        yield escape(environment.getattr(l_1_link, 'url'))
        yield '"'
        if environment.getattr(l_1_link, 'current'):
            pass
            yield ' aria-current="page"'
        yield '>'
        yield escape(environment.getattr(l_1_link, 'label'))
        yield '</a></li>\n'
    l_1_link = missing
    yield '      </ul>\n    </nav>\n    <p class="as-of">As of <time datetime="'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'as_of'))
    yield '">'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'as_of'))
    yield '</time></p>\n  </div>\n</header>\n'

blocks = {}
debug_info = '5=15&8=19&9=23&13=34'