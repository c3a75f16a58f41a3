# Made by `python -m mdpm.render` from the default theme's retro.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'retro.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'retro.html')
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
    l_0_project = resolve('project')
    pass
    yield 'Retrospective: '
    yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'title'))

def block_head(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield '<style>\ntd.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }\ntr.is-late th a { color: var(--danger); }\n.stage-bar { display: flex; height: .7rem; min-width: 8rem; border-radius: 3px; overflow: hidden; background: var(--line); }\n.stage-bar span { display: block; height: 100%; }\n.retro-facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: .75rem; padding: 0; margin: 1rem 0 1.5rem; list-style: none; }\n.retro-facts li { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: .6rem .8rem; }\n.retro-facts strong { display: block; font-size: 1.2rem; }\n.retro-facts .is-late strong { color: var(--danger); }\n</style>\n'

def block_breadcrumbs(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_root = resolve('root')
    l_0_project = resolve('project')
    pass
    yield '<nav class="breadcrumbs" aria-label="Breadcrumbs"><ol><li><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'index.html">Overview</a></li><li><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'url'))
    yield '">'
    yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'title'))
    yield '</a></li><li aria-current="page">Retrospective</li></ol></nav>\n'

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_site = resolve('site')
    l_0_project = resolve('project')
    l_0_r = l_0_colours = l_0_handoffs = missing
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['plural']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'plural' found.")
    try:
        t_3 = environment.filters['replace']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'replace' found.")
    try:
        t_4 = environment.filters['round']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'round' found.")
    try:
        t_5 = environment.filters['safe']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'safe' found.")
    try:
        t_6 = environment.filters['sum']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'sum' found.")
    pass
    l_0_r = environment.getitem(environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'extras'), 'retros'), environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'id'))
    _block_vars['r'] = l_0_r
    l_0_colours = ['#8c96a8', '#5b8def', '#e0a21b', '#c2569b', '#2a9d5c', '#7a5cc7', '#d0643b', '#3aa6b9']
    _block_vars['colours'] = l_0_colours
    yield '<div class="page-head">\n  <h1>Retrospective: '
    yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'title'))
    yield '</h1>\n  <p class="lede">Planned against actual, what made it late, where the time went · as of '
    yield escape(context.call(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'as_of'), 'isoformat'), _block_vars=_block_vars))
    yield '</p>\n</div>\n'
    if (environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'history_status') == 'none'):
        pass
        yield '<div class="panel panel-warn history-missing" data-history="none"><p><strong>History is missing:</strong> '
        yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'history_message'))
        yield '. Done dates, times per stage and hand-offs come from the git history (in CI: <code>fetch-depth: 0</code>); they are left empty, not guessed.</p></div>\n'
    elif (environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'history_status') == 'shallow'):
        pass
        yield '<div class="panel panel-warn history-partial" data-history="shallow"><p><strong>History is partial:</strong> '
        yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'history_message'))
        yield '.</p></div>\n'
    yield '\n<ul class="retro-facts">\n  <li>Tasks done <strong>'
    yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'done'))
    yield ' / '
    yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'total'))
    yield '</strong></li>\n  <li>Started <strong>'
    yield escape((context.call(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'start'), 'isoformat'), _block_vars=_block_vars) if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'start') else '—'))
    yield '</strong></li>\n  <li>Due <strong>'
    yield escape((context.call(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'due'), 'isoformat'), _block_vars=_block_vars) if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'due') else '—'))
    yield '</strong></li>\n  <li'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'late_days'):
        pass
        yield ' class="is-late"'
    yield '>'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'finished'):
        pass
        yield 'Finished <strong>'
        yield escape(context.call(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'finished'), 'isoformat'), _block_vars=_block_vars))
        yield '</strong>'
    elif environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'all_done'):
        pass
        yield 'Finished <strong>date unknown</strong>'
    else:
        pass
        yield 'Finished <strong>not yet</strong>'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'late_days'):
        pass
        yield ' '
        yield escape(t_2(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'late_days'), 'day'))
        yield ' after the due date'
    elif (environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'finished') and environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'due')):
        pass
        yield ' on time'
    yield '</li>\n  <li>Late tasks <strong>'
    yield escape(t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'late')))
    yield '</strong>'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done'):
        pass
        yield ' and '
        yield escape(t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done')))
        yield ' with an unknown done date'
    yield '</li>\n</ul>\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done'):
        pass
        yield '<div class="panel history-unknown" data-history-unknown="'
        yield escape(t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done')))
        yield '"><p><strong>'
        yield escape(t_2(t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done')), 'task'))
        yield ' '
        yield escape(('was' if (t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done')) == 1) else 'were'))
        yield ' created already done.</strong> The history shows when '
        yield escape(('its file was' if (t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done')) == 1) else 'their files were'))
        yield ' added, not when the work was finished, so '
        yield escape(('its' if (t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done')) == 1) else 'their'))
        yield ' done '
        yield escape(('date is' if (t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done')) == 1) else 'dates are'))
        yield ' unknown: not judged late or on time, and left out of cycle and lead times.'
        if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'all_done'):
            pass
            yield ' When the project finished is unknown too; the notes below may say.'
        yield '</p></div>\n'
    yield '\n<section aria-labelledby="plan-h">\n  <h2 id="plan-h">Planned vs actual</h2>\n  <div class="table-scroll" tabindex="0" role="region" aria-labelledby="plan-h">\n  <table>\n    <thead><tr><th scope="col">Task</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Done</th><th scope="col" class="num">Late (days)</th><th scope="col" class="num">Cycle (days)</th><th scope="col" class="num">Lead (days)</th><th scope="col">Time per stage</th></tr></thead>\n    <tbody>\n'
    l_1_loop = missing
    for l_1_t, l_1_loop in LoopContext(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tasks'), undefined):
        l_1_root = resolve('root')
        l_1_person = resolve('person')
        l_1_tv = l_1_total = missing
        _loop_vars = {}
        pass
        l_1_tv = context.call(environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), 'get'), environment.getattr(l_1_t, 'ref'), _loop_vars=_loop_vars)
        _loop_vars['tv'] = l_1_tv
        yield '      <tr data-task="'
        yield escape(environment.getattr(l_1_t, 'ref'))
        yield '"'
        if environment.getattr(l_1_t, 'late_days'):
            pass
            yield ' class="is-late"'
        yield '>\n        <th scope="row"><a href="'
        yield escape((undefined(name='root') if l_1_root is missing else l_1_root))
        yield escape((environment.getattr((undefined(name='tv') if l_1_tv is missing else l_1_tv), 'url') if (undefined(name='tv') if l_1_tv is missing else l_1_tv) else ''))
        yield '">'
        yield escape(environment.getattr(l_1_t, 'title'))
        yield '</a></th>\n        <td>'
        if environment.getattr(l_1_t, 'owner'):
            pass
            yield escape(context.call((undefined(name='person') if l_1_person is missing else l_1_person), environment.getattr(l_1_t, 'owner'), (undefined(name='root') if l_1_root is missing else l_1_root), _loop_vars=_loop_vars))
        else:
            pass
            yield '—'
        yield '</td>\n        <td>'
        yield escape((context.call(environment.getattr(environment.getattr(l_1_t, 'due'), 'isoformat'), _loop_vars=_loop_vars) if environment.getattr(l_1_t, 'due') else '—'))
        yield '</td>\n        <td'
        if environment.getattr(l_1_t, 'done_unknown'):
            pass
            yield ' class="muted" data-done="unknown"'
        yield '>'
        if environment.getattr(l_1_t, 'done_unknown'):
            pass
            yield 'unknown (created as done)'
        else:
            pass
            yield escape((context.call(environment.getattr(environment.getattr(l_1_t, 'done'), 'isoformat'), _loop_vars=_loop_vars) if environment.getattr(l_1_t, 'done') else '—'))
        yield '</td>\n        <td class="num">'
        yield escape((environment.getattr(l_1_t, 'late_days') or '—'))
        yield '</td>\n        <td class="num">'
        yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'days'), environment.getattr(l_1_t, 'cycle_days'), _loop_vars=_loop_vars))
        yield '</td>\n        <td class="num">'
        yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'days'), environment.getattr(l_1_t, 'lead_days'), _loop_vars=_loop_vars))
        yield '</td>\n        <td>'
        l_1_total = t_6(environment, context.call(environment.getattr(environment.getattr(l_1_t, 'stage_days'), 'values'), _loop_vars=_loop_vars))
        _loop_vars['total'] = l_1_total
        if (undefined(name='total') if l_1_total is missing else l_1_total):
            pass
            yield '<span class="stage-bar" role="img" aria-label="'
            l_2_loop = missing
            for (l_2_s, l_2_d), l_2_loop in LoopContext(context.call(environment.getattr(environment.getattr(l_1_t, 'stage_days'), 'items'), _loop_vars=_loop_vars), undefined):
                _loop_vars = {}
                pass
                yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'title_of'), l_2_s, _loop_vars=_loop_vars))
                yield ' '
                yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'days'), l_2_d, _loop_vars=_loop_vars))
                yield ' days'
                if (not environment.getattr(l_2_loop, 'last')):
                    pass
                    yield ', '
            l_2_loop = l_2_s = l_2_d = missing
            yield '">'
            l_2_loop = missing
            for l_2_s, l_2_loop in LoopContext(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'stages'), undefined):
                _loop_vars = {}
                pass
                if (environment.getattr(l_2_s, 'id') in environment.getattr(l_1_t, 'stage_days')):
                    pass
                    yield '<span style="width: '
                    yield escape(t_4(((100 * environment.getitem(environment.getattr(l_1_t, 'stage_days'), environment.getattr(l_2_s, 'id'))) / (undefined(name='total') if l_1_total is missing else l_1_total)), 1))
                    yield '%; background: '
                    yield escape(environment.getitem((undefined(name='colours') if l_0_colours is missing else l_0_colours), (environment.getattr(l_2_loop, 'index0') % t_1((undefined(name='colours') if l_0_colours is missing else l_0_colours)))))
                    yield '" title="'
                    yield escape(environment.getattr(l_2_s, 'title'))
                    yield ': '
                    yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'days'), environment.getitem(environment.getattr(l_1_t, 'stage_days'), environment.getattr(l_2_s, 'id')), _loop_vars=_loop_vars))
                    yield ' days"></span>'
            l_2_loop = l_2_s = missing
            yield '</span>'
        else:
            pass
            yield '—'
        yield '</td>\n      </tr>\n'
    l_1_loop = l_1_t = l_1_tv = l_1_root = l_1_person = l_1_total = missing
    yield '    </tbody>\n  </table>\n  </div>\n  <p class="muted small">Stage colours: '
    l_1_loop = missing
    for l_1_s, l_1_loop in LoopContext(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'stages'), undefined):
        _loop_vars = {}
        pass
        yield '<span style="color: '
        yield escape(environment.getitem((undefined(name='colours') if l_0_colours is missing else l_0_colours), (environment.getattr(l_1_loop, 'index0') % t_1((undefined(name='colours') if l_0_colours is missing else l_0_colours)))))
        yield '" aria-hidden="true">■</span> '
        yield escape(environment.getattr(l_1_s, 'title'))
        if (not environment.getattr(l_1_loop, 'last')):
            pass
            yield ' · '
    l_1_loop = l_1_s = missing
    yield '</p>\n</section>\n\n<section aria-labelledby="late-h">\n  <h2 id="late-h">What made it late <span class="count">'
    yield escape(t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'late')))
    yield '</span></h2>\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'late'):
        pass
        yield '  <ul class="review-list">\n'
        for l_1_t in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'late'):
            l_1_root = resolve('root')
            l_1_person = resolve('person')
            l_1_tv = missing
            _loop_vars = {}
            pass
            l_1_tv = context.call(environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), 'get'), environment.getattr(l_1_t, 'ref'), _loop_vars=_loop_vars)
            _loop_vars['tv'] = l_1_tv
            yield '    <li data-task="'
            yield escape(environment.getattr(l_1_t, 'ref'))
            yield '"><a href="'
            yield escape((undefined(name='root') if l_1_root is missing else l_1_root))
            yield escape((environment.getattr((undefined(name='tv') if l_1_tv is missing else l_1_tv), 'url') if (undefined(name='tv') if l_1_tv is missing else l_1_tv) else ''))
            yield '">'
            yield escape(environment.getattr(l_1_t, 'title'))
            yield '</a> — '
            yield escape(t_2(environment.getattr(l_1_t, 'late_days'), 'day'))
            yield ' late'
            if (environment.getattr(l_1_t, 'slowest_stage') == environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'first_stage')):
                pass
                yield '; started late: '
                yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'days'), environment.getitem(environment.getattr(l_1_t, 'stage_days'), environment.getattr(l_1_t, 'slowest_stage')), _loop_vars=_loop_vars))
                yield ' days in <strong>'
                yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'title_of'), environment.getattr(l_1_t, 'slowest_stage'), _loop_vars=_loop_vars))
                yield '</strong> before work began'
            elif environment.getattr(l_1_t, 'slowest_stage'):
                pass
                yield '; most time in <strong>'
                yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'title_of'), environment.getattr(l_1_t, 'slowest_stage'), _loop_vars=_loop_vars))
                yield '</strong> ('
                yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'days'), environment.getitem(environment.getattr(l_1_t, 'stage_days'), environment.getattr(l_1_t, 'slowest_stage')), _loop_vars=_loop_vars))
                yield ' days'
                if environment.getattr(l_1_t, 'slowest_holder'):
                    pass
                    yield ', held by '
                    yield escape(context.call((undefined(name='person') if l_1_person is missing else l_1_person), environment.getattr(l_1_t, 'slowest_holder'), (undefined(name='root') if l_1_root is missing else l_1_root), _loop_vars=_loop_vars))
                yield ')'
            yield '</li>\n'
        l_1_t = l_1_tv = l_1_root = l_1_person = missing
        yield '  </ul>\n'
    elif (environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'all_done') and (t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done')) == environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'total'))):
        pass
        yield '<p class="muted">Not known: no task has a known done date.</p>\n'
    elif environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done'):
        pass
        yield '<p class="muted">No task with a known done date finished after its due date; '
        yield escape(t_2(t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done')), 'task'))
        yield ' created already done '
        yield escape(('is' if (t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'unknown_done')) == 1) else 'are'))
        yield ' not judged.</p>\n'
    else:
        pass
        yield '<p class="muted">No task finished after its due date.</p>'
    yield '</section>\n\n<section aria-labelledby="stages-h">\n  <h2 id="stages-h">Time per stage</h2>\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'stages'):
        pass
        yield '  <div class="table-scroll" tabindex="0" role="region" aria-labelledby="stages-h">\n  <table>\n    <thead><tr><th scope="col">Stage</th><th scope="col" class="num">Tasks</th><th scope="col" class="num">Total (days)</th><th scope="col" class="num">Median (days)</th></tr></thead>\n    <tbody>'
        for l_1_s in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'stages'):
            _loop_vars = {}
            pass
            yield '<tr data-stage="'
            yield escape(environment.getattr(l_1_s, 'stage'))
            yield '"'
            if (environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'slowest_stage') and (environment.getattr(l_1_s, 'stage') == environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'slowest_stage'), 'stage'))):
                pass
                yield ' class="is-over"'
            yield '><th scope="row">'
            yield escape(environment.getattr(l_1_s, 'title'))
            yield '</th><td class="num">'
            yield escape(environment.getattr(l_1_s, 'tasks'))
            yield '</td><td class="num">'
            yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'days'), environment.getattr(l_1_s, 'total_days'), _loop_vars=_loop_vars))
            yield '</td><td class="num">'
            yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'days'), environment.getattr(l_1_s, 'median_days'), _loop_vars=_loop_vars))
            yield '</td></tr>'
        l_1_s = missing
        yield '</tbody>\n  </table>\n  </div>\n'
    else:
        pass
        yield '<p class="muted">No stage history for this project.</p>'
    yield '</section>\n\n<section aria-labelledby="handoffs-h">\n  <h2 id="handoffs-h">Hand-offs</h2>\n'
    l_0_handoffs = context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'handoff_summary'), _block_vars=_block_vars)
    _block_vars['handoffs'] = l_0_handoffs
    if (undefined(name='handoffs') if l_0_handoffs is missing else l_0_handoffs):
        pass
        yield '  <p class="muted">A hand-off is a move into a stage where someone else holds the task; the wait is how long it then stayed there.</p>\n  <div class="table-scroll" tabindex="0" role="region" aria-labelledby="handoffs-h">\n  <table>\n    <thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Into</th><th scope="col" class="num">Times</th><th scope="col" class="num">Median wait (days)</th></tr></thead>\n    <tbody>'
        for (l_1_giver, l_1_taker, l_1_stage, l_1_count, l_1_wait) in (undefined(name='handoffs') if l_0_handoffs is missing else l_0_handoffs):
            l_1_person = resolve('person')
            l_1_root = resolve('root')
            _loop_vars = {}
            pass
            yield '<tr><th scope="row">'
            yield escape((context.call((undefined(name='person') if l_1_person is missing else l_1_person), l_1_giver, (undefined(name='root') if l_1_root is missing else l_1_root), _loop_vars=_loop_vars) if (l_1_giver != '?') else '—'))
            yield '</th><td>'
            yield escape((context.call((undefined(name='person') if l_1_person is missing else l_1_person), l_1_taker, (undefined(name='root') if l_1_root is missing else l_1_root), _loop_vars=_loop_vars) if (l_1_taker != '?') else '—'))
            yield '</td><td>'
            yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'title_of'), l_1_stage, _loop_vars=_loop_vars))
            yield '</td><td class="num">'
            yield escape(l_1_count)
            yield '</td><td class="num">'
            yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'days'), l_1_wait, _loop_vars=_loop_vars))
            yield '</td></tr>'
        l_1_giver = l_1_taker = l_1_stage = l_1_count = l_1_wait = l_1_person = l_1_root = missing
        yield '</tbody>\n  </table>\n  </div>\n'
    else:
        pass
        yield '<p class="muted">No hand-offs between people were recorded.</p>'
    yield '</section>\n\n<section aria-labelledby="notes-h">\n  <h2 id="notes-h">Notes</h2>\n'
    if context.call(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'notes'), 'strip'), _block_vars=_block_vars):
        pass
        yield '  <div class="prose">'
        yield escape(t_5(t_3(context.eval_ctx, t_3(context.eval_ctx, context.call(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'html'), environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'retro_key'), _block_vars=_block_vars), '<h1', '<h2'), '</h1>', '</h2>')))
        yield '</div>\n'
    else:
        pass
        yield '  <p class="muted">No notes yet. Start them with <code>mdpm retro '
        yield escape(environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'id'))
        yield ' &gt; '
        yield escape((environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'id') and markup_join(('content/projects/', environment.getattr((undefined(name='project') if l_0_project is missing else l_0_project), 'id'), '/_retro.md', ))))
        yield '</code> and edit.</p>\n'
    yield '</section>\n'

blocks = {'title': block_title, 'head': block_head, 'breadcrumbs': block_breadcrumbs, 'content': block_content}
debug_info = '1=12&3=17&4=29&16=39&17=50&19=58&20=105&21=107&23=110&24=112&26=114&27=117&28=119&29=122&33=125&34=129&35=131&36=133&37=157&39=165&40=168&49=186&50=195&51=201&52=206&53=213&54=215&55=226&56=228&57=230&58=232&64=274&68=286&69=288&71=291&72=300&75=331&76=334&82=345&86=348&94=372&95=374&100=377&108=399&110=402&112=407'