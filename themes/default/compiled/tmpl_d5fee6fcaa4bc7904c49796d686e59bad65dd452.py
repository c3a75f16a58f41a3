# Made by `python -m mdpm.render` from the default theme's people.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'people.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'people.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield 'People'

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_site = resolve('site')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['upper']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'upper' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<div class="page-head">\n  <h1>People</h1>\n  <p class="lede">Active tasks each person holds, against their limit · as of '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'as_of'))
    yield '</p>\n</div>\n'
    if environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'people'):
        pass
        yield '<div class="table-scroll" tabindex="0" role="region" aria-label="People and their load">\n<table class="people">\n  <thead><tr><th scope="col">Person</th><th scope="col">Holds</th><th scope="col">Limit</th><th scope="col">Owns</th><th scope="col">Collaborates</th><th scope="col">Status</th></tr></thead>\n  <tbody>\n'
        for l_1_p in environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'people'):
            l_1_root = resolve('root')
            l_1_icon = resolve('icon')
            _loop_vars = {}
            pass
            yield '  <tr class="'
            if environment.getattr(l_1_p, 'over'):
                pass
                yield 'is-over'
            yield '">\n    <th scope="row"><a class="person" href="'
            yield escape((undefined(name='root') if l_1_root is missing else l_1_root))
            yield escape(environment.getattr(l_1_p, 'url'))
            yield '"><span class="avatar" aria-hidden="true">'
            yield escape(t_2(environment.getattr(l_1_p, 'handle')[:1]))
            yield '</span>'
            yield escape(environment.getattr(l_1_p, 'name'))
            yield '</a>'
            if (environment.getattr(l_1_p, 'name') != environment.getattr(l_1_p, 'handle')):
                pass
                yield ' <span class="muted">'
                yield escape(environment.getattr(l_1_p, 'handle'))
                yield '</span>'
            yield '</th>\n    <td>'
            yield escape(t_1(environment.getattr(l_1_p, 'holds')))
            yield '</td>\n    <td>'
            if (not t_3(environment.getattr(l_1_p, 'limit'))):
                pass
                yield escape(environment.getattr(l_1_p, 'limit'))
            else:
                pass
                yield '<span class="muted">none</span>'
            yield '</td>\n    <td>'
            yield escape(t_1(environment.getattr(l_1_p, 'owns')))
            yield '</td>\n    <td>'
            yield escape(t_1(environment.getattr(l_1_p, 'collaborates')))
            yield '</td>\n    <td>'
            if environment.getattr(l_1_p, 'over'):
                pass
                yield '<span class="badge badge-overdue">'
                yield escape(context.call((undefined(name='icon') if l_1_icon is missing else l_1_icon), 'alert', _loop_vars=_loop_vars))
                yield 'Over limit</span>'
            elif environment.getattr(l_1_p, 'at_limit'):
                pass
                yield '<span class="badge badge-soon">At limit</span>'
            else:
                pass
                yield '<span class="badge badge-done">'
                yield escape(context.call((undefined(name='icon') if l_1_icon is missing else l_1_icon), 'check', _loop_vars=_loop_vars))
                yield 'OK</span>'
            yield '</td>\n  </tr>\n'
        l_1_p = l_1_root = l_1_icon = missing
        yield '  </tbody>\n</table>\n</div>\n'
    else:
        pass
        yield '<p class="empty">Nobody yet: add people under [people] in mdpm.toml.</p>'

blocks = {'title': block_title, 'content': block_content}
debug_info = '1=12&3=17&4=27&7=55&9=57&14=60&15=66&16=70&17=83&18=85&19=92&20=94&21=96'