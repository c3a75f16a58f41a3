# Made by `python -m mdpm.render` from the default theme's review.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'review.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    l_0_problem_list = missing
    pass
    parent_template = environment.get_template('base.html', 'review.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    included_template = environment.get_template('_macros.html', 'review.html')._get_default_module(context)
    l_0_problem_list = getattr(included_template, 'problem_list', missing)
    if l_0_problem_list is missing:
        l_0_problem_list = undefined(f"the template {included_template.__name__!r} (imported on line 2 in 'review.html') does not export the requested name 'problem_list'", name='problem_list')
    context.vars['problem_list'] = l_0_problem_list
    context.exported_vars.discard('problem_list')
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield 'Status review'

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_site = resolve('site')
    l_0_icon = resolve('icon')
    l_0_root = resolve('root')
    l_0_problem_list = resolve('problem_list')
    l_0_r = l_0_dep_views = missing
    try:
        t_1 = environment.filters['days_text']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'days_text' found.")
    try:
        t_2 = environment.filters['first']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'first' found.")
    try:
        t_3 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_4 = environment.filters['list']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'list' found.")
    try:
        t_5 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    try:
        t_6 = environment.filters['plural']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'plural' found.")
    try:
        t_7 = environment.filters['selectattr']
    except KeyError:
        @internalcode
        def t_7(*unused):
            raise TemplateRuntimeError("No filter named 'selectattr' found.")
    try:
        t_8 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_8(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    l_0_r = environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'review')
    _block_vars['r'] = l_0_r
    yield '<div class="page-head">\n  <h1>Status review</h1>\n  <p class="lede">Bottlenecks, blocked and stuck work, overloaded people and overdue tasks · as of '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'as_of'))
    yield '</p>\n</div>\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'is_clear'):
        pass
        yield '<p class="all-clear">'
        yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'check', _block_vars=_block_vars))
        yield 'All clear: no bottlenecks, nothing blocked, stuck, overloaded or overdue.</p>'
    yield '\n<section aria-labelledby="bottlenecks-h">\n  <h2 id="bottlenecks-h">Bottlenecks <span class="count">'
    yield escape(t_3(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'bottlenecks')))
    yield '</span></h2>\n  <p class="muted small">Stages at or over their work-in-progress limit.</p>\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'bottlenecks'):
        pass
        yield '  <ul class="review-list">\n'
        for l_1_b in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'bottlenecks'):
            _loop_vars = {}
            pass
            yield '    <li class="'
            if environment.getattr(l_1_b, 'over'):
                pass
                yield 'is-over'
            else:
                pass
                yield 'is-at-limit'
            yield '" data-stage="'
            yield escape(environment.getattr(l_1_b, 'stage'))
            yield '"><a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield 'board/index.html#stage-'
            yield escape(environment.getattr(l_1_b, 'stage'))
            yield '">'
            yield escape(environment.getattr(l_1_b, 'title'))
            yield '</a>: '
            yield escape(environment.getattr(l_1_b, 'count'))
            yield '/'
            yield escape(environment.getattr(l_1_b, 'limit'))
            yield ' '
            if environment.getattr(l_1_b, 'over'):
                pass
                yield '<span class="badge badge-overdue">'
                yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'alert', _loop_vars=_loop_vars))
                yield 'Over limit</span>'
            else:
                pass
                yield '<span class="badge badge-soon">At limit</span>'
            yield '</li>\n'
        l_1_b = missing
        yield '  </ul>\n'
    else:
        pass
        yield '<p class="muted">No stage is at its limit.</p>'
    yield '</section>\n\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'queues'):
        pass
        yield '<section aria-labelledby="queues-h" id="queues">\n  <h2 id="queues-h">Longest queues</h2>\n  <p class="muted small">Queue stages after the first with the most tasks waiting (not bottlenecks by themselves).</p>\n  <ul class="review-list">'
        for l_1_q in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'queues'):
            _loop_vars = {}
            pass
            yield '<li data-stage="'
            yield escape(environment.getattr(l_1_q, 'stage'))
            yield '"><a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield 'board/index.html#stage-'
            yield escape(environment.getattr(l_1_q, 'stage'))
            yield '">'
            yield escape(environment.getattr(l_1_q, 'title'))
            yield '</a>: '
            yield escape(t_6(environment.getattr(l_1_q, 'count'), 'task'))
            yield ' waiting'
            if (not t_8(environment.getattr(l_1_q, 'limit'))):
                pass
                yield ' (limit '
                yield escape(environment.getattr(l_1_q, 'limit'))
                yield ')'
            yield '</li>'
        l_1_q = missing
        yield '</ul>\n</section>\n'
    yield '\n<section aria-labelledby="waits-h" id="waits">\n  <h2 id="waits-h">Where work waits longest</h2>\n'
    if (not environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'stuck_known')):
        pass
        yield '<p class="muted history-missing">Unknown: history is missing ('
        yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'history_message'))
        yield ').</p>\n'
    elif environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'slow_stages'):
        pass
        yield '  <ul class="review-list">'
        for l_1_w in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'slow_stages')[:3]:
            _loop_vars = {}
            pass
            yield '<li data-stage="'
            yield escape(environment.getattr(l_1_w, 'stage'))
            yield '">'
            yield escape(t_2(environment, t_5(context, t_7(context, environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'stages'), 'id', 'equalto', environment.getattr(l_1_w, 'stage')), attribute='title')))
            yield ': '
            if (not t_8(environment.getattr(l_1_w, 'median_days'))):
                pass
                yield 'median stay '
                yield escape(t_1(environment.getattr(l_1_w, 'median_days')))
                if (not t_8(environment.getattr(l_1_w, 'p85_days'))):
                    pass
                    yield ' (85 %: '
                    yield escape(t_1(environment.getattr(l_1_w, 'p85_days')))
                    yield ')'
            else:
                pass
                yield 'no finished stays yet'
            if environment.getattr(l_1_w, 'current'):
                pass
                yield '; '
                yield escape(environment.getattr(l_1_w, 'current'))
                yield ' there now, median '
                yield escape(t_1(environment.getattr(l_1_w, 'current_median_days')))
                yield ' so far'
            yield '</li>'
        l_1_w = missing
        yield '</ul>\n  <p class="muted small">From the stage history; see <a href="'
        yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
        yield 'metrics/index.html#stages">flow metrics</a>.</p>\n'
    else:
        pass
        yield '<p class="muted">No stage history yet.</p>'
    yield '</section>\n\n<section aria-labelledby="blocked-h">\n  <h2 id="blocked-h">Blocked <span class="count">'
    yield escape(t_3(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'blocked')))
    yield '</span></h2>\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'blocked'):
        pass
        yield '  <ul class="review-list">'
        for l_1_b in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'blocked'):
            l_1_t = missing
            _loop_vars = {}
            pass
            l_1_t = environment.getitem(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), environment.getattr(l_1_b, 'ref'))
            _loop_vars['t'] = l_1_t
            yield '<li data-task="'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'ref'))
            yield '"><a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'url'))
            yield '">'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'title'))
            yield '</a> <span class="muted">'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'project_title'))
            yield '</span> — '
            yield escape(environment.getattr(l_1_b, 'reason'))
            yield '</li>'
        l_1_b = l_1_t = missing
        yield '</ul>\n'
    else:
        pass
        yield '<p class="muted">Nothing is blocked.</p>'
    yield '</section>\n\n<section aria-labelledby="stuck-h">\n  <h2 id="stuck-h">Stuck'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'stuck_known'):
        pass
        yield ' <span class="count">'
        yield escape(t_3(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'stuck')))
        yield '</span>'
    yield '</h2>\n'
    if (not environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'stuck_known')):
        pass
        yield '<p class="muted history-missing">Unknown: history is missing ('
        yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'history_message'))
        yield ').</p>\n'
    elif environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'stuck'):
        pass
        yield '  <ul class="review-list">'
        for l_1_s in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'stuck'):
            l_1_person = resolve('person')
            l_1_t = missing
            _loop_vars = {}
            pass
            l_1_t = environment.getitem(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), environment.getattr(l_1_s, 'ref'))
            _loop_vars['t'] = l_1_t
            yield '<li data-task="'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'ref'))
            yield '"><a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'url'))
            yield '">'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'title'))
            yield '</a> — '
            yield escape(t_6(environment.getattr(l_1_s, 'days'), 'day'))
            yield ' in '
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'stage_title'))
            yield ', held by '
            yield escape(context.call((undefined(name='person') if l_1_person is missing else l_1_person), environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'holder'), (undefined(name='root') if l_0_root is missing else l_0_root), _loop_vars=_loop_vars))
            yield '</li>'
        l_1_s = l_1_t = l_1_person = missing
        yield '</ul>\n'
    else:
        pass
        yield '<p class="muted">Nothing has been in one stage too long.</p>'
    yield '</section>\n\n<section aria-labelledby="overloaded-h">\n  <h2 id="overloaded-h">Overloaded people <span class="count">'
    yield escape(t_3(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'overloaded')))
    yield '</span></h2>\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'overloaded'):
        pass
        yield '  <ul class="review-list">'
        for l_1_o in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'overloaded'):
            l_1_person = resolve('person')
            _loop_vars = {}
            pass
            yield '<li>'
            yield escape(context.call((undefined(name='person') if l_1_person is missing else l_1_person), environment.getattr(l_1_o, 'handle'), (undefined(name='root') if l_0_root is missing else l_0_root), _loop_vars=_loop_vars))
            yield ' holds '
            yield escape(environment.getattr(l_1_o, 'holds'))
            yield ', limit '
            yield escape(environment.getattr(l_1_o, 'limit'))
            yield '</li>'
        l_1_o = l_1_person = missing
        yield '</ul>\n'
    else:
        pass
        yield '<p class="muted">Nobody is over their limit.</p>'
    yield '</section>\n\n<section aria-labelledby="overdue-h">\n  <h2 id="overdue-h">Overdue <span class="count">'
    yield escape(t_3(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'overdue')))
    yield '</span></h2>\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'overdue'):
        pass
        yield '  <ul class="review-list">'
        for l_1_o in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'overdue'):
            l_1_t = missing
            _loop_vars = {}
            pass
            l_1_t = environment.getitem(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), environment.getattr(l_1_o, 'ref'))
            _loop_vars['t'] = l_1_t
            yield '<li data-task="'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'ref'))
            yield '"><a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'url'))
            yield '">'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'title'))
            yield '</a> — due <time datetime="'
            yield escape(context.call(environment.getattr(environment.getattr(l_1_o, 'due'), 'isoformat'), _loop_vars=_loop_vars))
            yield '">'
            yield escape(context.call(environment.getattr(environment.getattr(l_1_o, 'due'), 'isoformat'), _loop_vars=_loop_vars))
            yield '</time>, '
            yield escape(t_6(environment.getattr(l_1_o, 'days'), 'day'))
            yield ' late, in '
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'stage_title'))
            yield '</li>'
        l_1_o = l_1_t = missing
        yield '</ul>\n'
    else:
        pass
        yield '<p class="muted">Nothing is overdue.</p>'
    yield '</section>\n\n<section aria-labelledby="deps-h">\n  <h2 id="deps-h">Dependency problems <span class="count">'
    yield escape(t_3(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'dependency_problems')))
    yield '</span></h2>\n'
    l_0_dep_views = t_4(context.eval_ctx, t_7(context, environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'problems'), 'code', 'in', ['dep-missing', 'dep-cycle', 'dep-order']))
    _block_vars['dep_views'] = l_0_dep_views
    if (undefined(name='dep_views') if l_0_dep_views is missing else l_0_dep_views):
        pass
        yield escape(context.call((undefined(name='problem_list') if l_0_problem_list is missing else l_0_problem_list), (undefined(name='dep_views') if l_0_dep_views is missing else l_0_dep_views), (undefined(name='root') if l_0_root is missing else l_0_root), _block_vars=_block_vars))
    else:
        pass
        yield '<p class="muted">No dependency problems.</p>'
    yield '</section>\n'

blocks = {'title': block_title, 'content': block_content}
debug_info = '1=13&2=16&3=24&4=34&5=95&8=98&10=100&13=106&15=108&17=111&18=115&24=149&28=152&34=175&35=180&36=183&37=213&42=219&43=221&44=224&49=248&50=254&51=259&52=262&57=289&58=291&59=294&64=311&65=313&66=316&71=344&72=346&73=348'